namespace ScaiControl.Web.Auth;

/// <summary>Return URLs after sign-in or a language switch: local paths only.</summary>
public static class ReturnUrls
{
    /// <summary>
    /// <paramref name="returnUrl"/> when it is a local path (starts with one "/", not "//" or "/\", no control
    /// characters: the rule of ASP.NET Core's IsLocalUrl, which LocalRedirect enforces by throwing), else "/".
    /// </summary>
    public static string LocalOrHome(string? returnUrl) =>
        returnUrl is ['/', not ('/' or '\\'), ..] && !returnUrl.Any(char.IsControl) ? returnUrl : "/";
}

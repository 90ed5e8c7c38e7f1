using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ScaiControl.Tests.Integration.Security;

/// <summary>A client signed in to the portal through the development sign-in form (session cookie, no token).</summary>
internal static partial class PortalSession
{
    /// <summary>Signs <paramref name="email"/> in as a browser would (antiforgery token from the sign-in page) and returns the cookie client.</summary>
    public static async Task<HttpClient> SignInAsync(ScaiAppFactory app, string email, string? returnUrl = null)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var response = await SignInResponseAsync(client, email, returnUrl);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    /// <summary>Posts the sign-in form on <paramref name="client"/> and returns the raw response.</summary>
    public static async Task<HttpResponseMessage> SignInResponseAsync(HttpClient client, string email, string? returnUrl)
    {
        var html = await client.GetStringAsync("/sign-in");
        var token = TokenField().Match(html).Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(token), "the sign-in page carries an antiforgery token");
        List<KeyValuePair<string, string>> form = [new("email", email), new("__RequestVerificationToken", WebUtility.HtmlDecode(token))];
        if (returnUrl is not null)
        {
            form.Add(new("returnUrl", returnUrl));
        }

        return await client.PostAsync("/auth/dev-sign-in", new FormUrlEncodedContent(form));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}

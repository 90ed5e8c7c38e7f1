namespace ScaiControl.Web.Auth;

/// <summary>
/// Auth:* settings. The API accepts ScaiKey JWTs validated against <see cref="Authority"/> (OIDC discovery) or
/// <see cref="JwksUrl"/> (a bare JWKS), with <see cref="Issuer"/> and <see cref="Audience"/>. <see cref="DevSignIn"/>
/// turns on the development sign-in and its locally generated signing key, in the Development environment only.
/// </summary>
public sealed class AuthOptions
{
    /// <summary>OIDC authority (its /.well-known/openid-configuration names the JWKS).</summary>
    public string? Authority { get; set; }

    /// <summary>A JWKS URL used when there is no OIDC discovery document.</summary>
    public string? JwksUrl { get; set; }

    /// <summary>Expected "iss".</summary>
    public string Issuer { get; set; } = "scaicontrol-dev";

    /// <summary>Expected "aud".</summary>
    public string Audience { get; set; } = "scaicontrol";

    /// <summary>Require https for the Authority/JWKS documents (default: true outside Development).</summary>
    public bool? RequireHttpsMetadata { get; set; }

    /// <summary>Development sign-in (ignored outside the Development environment).</summary>
    public bool DevSignIn { get; set; }

    /// <summary>Where the development signing key is kept (created on first use); default &lt;DataDirectory&gt;/dev-signing-key.pem.</summary>
    public string? DevKeyPath { get; set; }

    /// <summary>The effective key path.</summary>
    public string KeyPath(IConfiguration configuration) => DevKeyPath ?? Path.Combine(Infrastructure.DataDirectory.Resolve(configuration), "dev-signing-key.pem");
}

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

    /// <summary>Expected "iss" of dev-key and JWKS tokens; with <see cref="Authority"/> the discovery document's issuer is the only one accepted.</summary>
    public string Issuer { get; set; } = "scaicontrol-dev";

    /// <summary>Expected "aud".</summary>
    public string Audience { get; set; } = "scaicontrol";

    /// <summary>Require https for the Authority/JWKS documents (default: true outside Development).</summary>
    public bool? RequireHttpsMetadata { get; set; }

    /// <summary>The portal's OIDC client id at the provider (with <see cref="Authority"/>: turns on the portal sign-in).</summary>
    public string? ClientId { get; set; }

    /// <summary>The client secret (confidential client); prefer <see cref="ClientSecretVaultPath"/>.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>Where the secret store (ScaiVault, or the local store) keeps the client secret.</summary>
    public string? ClientSecretVaultPath { get; set; }

    /// <summary>The scopes the portal requests (space-separated); default "openid profile email offline_access".</summary>
    public string RequestScopes { get; set; } = "openid profile email offline_access";

    /// <summary>ScaiKey's /auth/me (canonical permissions, fetched on every sign-in and refresh); null for a provider without one.</summary>
    public string? MeEndpoint { get; set; }

    /// <summary>The claim names the provider uses (defaults: the spec's partner_id, tenant_id, roles, scope).</summary>
    public ClaimNames Claims { get; set; } = new();

    /// <summary>The portal refreshes the access token when it expires within this time (default 2 minutes).</summary>
    public TimeSpan RefreshBeforeExpiry { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The portal session's idle lifetime (sliding; default 8 hours).</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>Clock skew allowed on exp/nbf (default 30 seconds).</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A token with an unknown kid refetches the keys at most this often (default 30 seconds).</summary>
    public TimeSpan KeyRefetchInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the discovery document and JWKS are cached (default 5 minutes).</summary>
    public TimeSpan KeyCacheLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>True when the portal signs in through the provider (Authority and ClientId set).</summary>
    public bool PortalOidc => !string.IsNullOrWhiteSpace(Authority) && !string.IsNullOrWhiteSpace(ClientId);

    /// <summary>Development sign-in (ignored outside the Development environment, and when an Authority is set).</summary>
    public bool DevSignIn { get; set; }

    /// <summary>Where the development signing key is kept (created on first use); default &lt;DataDirectory&gt;/dev-signing-key.pem.</summary>
    public string? DevKeyPath { get; set; }

    /// <summary>The effective key path.</summary>
    public string KeyPath(IConfiguration configuration) => DevKeyPath ?? Path.Combine(Infrastructure.DataDirectory.Resolve(configuration), "dev-signing-key.pem");
}

/// <summary>Auth:Claims:* — the claim names of the identity provider's tokens, mapped to ScaiControl's at sign-in.</summary>
public sealed class ClaimNames
{
    /// <summary>The partner claim (default partner_id).</summary>
    public string PartnerId { get; set; } = ScaiClaims.PartnerId;

    /// <summary>The tenant claim (default tenant_id).</summary>
    public string TenantId { get; set; } = ScaiClaims.TenantId;

    /// <summary>The roles claim (default roles; a JSON array or space-separated).</summary>
    public string Roles { get; set; } = ScaiClaims.Roles;

    /// <summary>The scopes claim (default scope; space-delimited, RFC 8693 / RFC 9068).</summary>
    public string Scopes { get; set; } = ScaiClaims.Scopes;
}

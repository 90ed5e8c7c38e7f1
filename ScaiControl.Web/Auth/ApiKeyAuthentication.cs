using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using ScaiControl.Infrastructure.Identity;

namespace ScaiControl.Web.Auth;

/// <summary>
/// The "ApiKey" authentication scheme: a service API key sent as <c>X-API-Key: sck_...</c> or
/// <c>Authorization: ApiKey sck_...</c> (issue 11). It resolves to the claims a token of the same partner, tenant and
/// scopes would carry (sub = "apikey:&lt;id&gt;"), so authorization and the tenant filter work unchanged. A missing,
/// malformed, unknown, revoked or expired key fails authentication (401), with no detail of which.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyService keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The scheme name.</summary>
    public const string SchemeName = "ApiKey";

    /// <summary>The header carrying a key.</summary>
    public const string HeaderName = "X-API-Key";

    /// <summary>Claim naming how the caller authenticated ("api_key").</summary>
    public const string AuthMethodClaim = "amr";

    /// <summary>True when the request presents an API key (either form), so the scheme selector picks this scheme.</summary>
    public static bool Presents(HttpRequest request) =>
        request.Headers.ContainsKey(HeaderName) || request.Headers.Authorization.ToString().StartsWith("ApiKey ", StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Presents(Request))
        {
            return AuthenticateResult.NoResult();
        }

        var presented = Request.Headers.TryGetValue(HeaderName, out var header)
            ? header.ToString().Trim()
            : Request.Headers.Authorization.ToString()["ApiKey ".Length..].Trim();
        var resolved = await keys.AuthenticateAsync(presented, Context.Connection.RemoteIpAddress?.ToString(), Context.RequestAborted);
        if (resolved is not { } r)
        {
            return AuthenticateResult.Fail("Invalid API key.");
        }

        var claims = new List<Claim>
        {
            new(ScaiClaims.Subject, r.Actor.UserId),
            new(ScaiClaims.Name, r.Key.Name),
            new(ScaiClaims.PartnerId, r.Key.PartnerId),
            new(AuthMethodClaim, "api_key"),
        };
        if (r.Key.TenantId is not null)
        {
            claims.Add(new Claim(ScaiClaims.TenantId, r.Key.TenantId));
        }

        claims.AddRange(r.Actor.Scopes.Select(s => new Claim(ScaiClaims.Scopes, s)));
        var identity = new ClaimsIdentity(claims, SchemeName, ScaiClaims.Name, ScaiClaims.Roles);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <inheritdoc/>
    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "ApiKey";
        return Task.CompletedTask;
    }
}

using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using ScaiControl.Infrastructure.Identity;

namespace ScaiControl.Web.Auth;

/// <summary>
/// Turns an authenticated principal's roles and scopes into its effective permissions (see
/// <see cref="EffectivePermissionService"/>): the local user's ScaiKey roles, local role assignments and group roles are
/// added as "roles"/"scopes" claims, so <see cref="ScaiClaims.ToActor"/> (and every policy) sees the union. Never removes
/// a right the token carries, except for a deactivated local user, who keeps no roles or scopes. Runs once per
/// authentication (a marker claim makes it idempotent); the local part is cached per user.
/// </summary>
public sealed class EffectivePermissionClaims(EffectivePermissionService permissions) : IClaimsTransformation
{
    /// <summary>Marker claim: the principal already carries its effective permissions.</summary>
    public const string Marker = "scai_effective";

    /// <summary>The claim naming the OAuth client a token was issued to (RFC 9068).</summary>
    public const string ClientIdClaim = "client_id";

    /// <summary>
    /// True for a client-credentials token (RFC 9068: no user behind it, "sub" = "client_id"). Such a token authorizes
    /// by its "scope" claim alone: its roles are not widened into scopes and no local grants are added (only a
    /// super_admin role keeps its bypass). Its partner_id/tenant_id pin its data scope as for a user.
    /// </summary>
    public static bool IsServiceToken(ClaimsPrincipal principal) =>
        principal.FindFirst(ClientIdClaim)?.Value is { Length: > 0 } client && principal.FindFirst(ScaiClaims.Subject)?.Value == client;

    /// <inheritdoc/>
    public async Task<ClaimsPrincipal> TransformAsync(ClaimsPrincipal principal)
    {
        // An API key grants exactly its own scopes: no user behind it, no roles, nothing added.
        if (principal.Identity?.IsAuthenticated != true || principal.HasClaim(c => c.Type == Marker)
            || principal.HasClaim(ApiKeyAuthenticationHandler.AuthMethodClaim, "api_key"))
        {
            return principal;
        }

        var actor = principal.ToActor();
        if (!actor.IsAuthenticated || IsServiceToken(principal))
        {
            return principal;
        }

        var effective = await permissions.ForTokenAsync(actor);
        var source = principal.Identities.First(i => i.IsAuthenticated);
        var identity = new ClaimsIdentity(source.Claims.Where(c => !effective.Deactivated || (c.Type != ScaiClaims.Roles && c.Type != ScaiClaims.Scopes)),
            source.AuthenticationType, source.NameClaimType, source.RoleClaimType);
        identity.AddClaims(effective.Roles.Except(actor.Roles, StringComparer.Ordinal).Select(r => new Claim(ScaiClaims.Roles, r)));
        identity.AddClaims(effective.Scopes.Except(actor.Scopes, StringComparer.Ordinal).Select(s => new Claim(ScaiClaims.Scopes, s)));
        identity.AddClaim(new Claim(Marker, effective.Deactivated ? "deactivated" : "1"));
        return new ClaimsPrincipal(identity);
    }
}

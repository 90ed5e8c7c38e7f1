using System.Security.Claims;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Web.Auth;

/// <summary>
/// The claim names of the spec's ScaiKey JWT (sub, partner_id, tenant_id, roles, scopes) and their mapping to
/// <see cref="Actor"/>. Used for bearer tokens and for the portal's cookie alike.
/// </summary>
public static class ScaiClaims
{
    public const string Subject = "sub";
    public const string PartnerId = "partner_id";
    public const string TenantId = "tenant_id";
    public const string Roles = "roles";
    public const string Scopes = "scopes";
    public const string Email = "email";
    public const string Name = "name";

    /// <summary>OIDC standard claim: the user's locale (BCP 47, e.g. nl-NL), for formatting.</summary>
    public const string Locale = "locale";

    /// <summary>OIDC standard claim: the user's time zone (IANA id, e.g. Europe/Amsterdam).</summary>
    public const string ZoneInfo = "zoneinfo";

    /// <summary>The name of the user's tenant (or partner, for partner and operator accounts), shown in the app bar.</summary>
    public const string Organisation = "org_name";

    /// <summary>The actor a principal stands for; <see cref="Actor.Anonymous"/> when not authenticated.</summary>
    public static Actor ToActor(this ClaimsPrincipal? user)
    {
        if (user?.Identity?.IsAuthenticated != true || user.FindFirst(Subject)?.Value is not { Length: > 0 } sub)
        {
            return Actor.Anonymous;
        }

        static IReadOnlyList<string> Many(ClaimsPrincipal u, string type) =>
            u.FindAll(type).SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Distinct(StringComparer.Ordinal).ToArray();

        return new Actor(sub, Empty(user.FindFirst(PartnerId)?.Value), Empty(user.FindFirst(TenantId)?.Value), Many(user, Roles), Many(user, Scopes));
    }

    /// <summary>
    /// The claims of a user as ScaiKey would issue them, with the optional display claims: the organisation's name,
    /// and the locale and zone (see <see cref="Localization.PortalCulture.ForCountry"/>).
    /// </summary>
    public static IReadOnlyList<Claim> For(User user, string? organisation = null, string? locale = null, string? zoneInfo = null)
    {
        var claims = new List<Claim>
        {
            new(Subject, user.Id),
            new(Email, user.Email),
            new(Name, user.DisplayName),
            new(PartnerId, user.PartnerId),
        };
        if (user.TenantId is not null)
        {
            claims.Add(new Claim(TenantId, user.TenantId));
        }

        foreach (var (type, value) in new[] { (Organisation, organisation), (Locale, locale), (ZoneInfo, zoneInfo) })
        {
            if (!string.IsNullOrEmpty(value))
            {
                claims.Add(new Claim(type, value));
            }
        }

        claims.AddRange(user.RoleList.Select(r => new Claim(Roles, r)));
        claims.AddRange(user.Scopes.Select(s => new Claim(Scopes, s)));
        return claims;
    }

    private static string? Empty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

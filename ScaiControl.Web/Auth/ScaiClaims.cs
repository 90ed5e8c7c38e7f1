using System.Security.Claims;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Web.Auth;

/// <summary>
/// The claim names of the spec's ScaiKey JWT (sub, partner_id, tenant_id, roles, scope) and their mapping to
/// <see cref="Actor"/>. Used for bearer tokens and for the portal's cookie alike. A provider with other claim names
/// is mapped to these once, at the edge (<see cref="Normalise"/>, Auth:Claims:*).
/// </summary>
public static class ScaiClaims
{
    public const string Subject = "sub";
    public const string PartnerId = "partner_id";
    public const string TenantId = "tenant_id";
    public const string Roles = "roles";
    /// <summary>The permissions claim: "scope:action" values, space-delimited in one claim (RFC 9068), or several claims.</summary>
    public const string Scopes = "scope";

    /// <summary>The identity provider's own "sub" when the local users row has another id (an existing user matched by e-mail).</summary>
    public const string ProviderSubject = "idp_sub";
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
        if (user.Scopes.Count > 0)
        {
            claims.Add(new Claim(Scopes, string.Join(' ', user.Scopes)));
        }

        return claims;
    }

    /// <summary>
    /// The portal session's claims for an identity resolved at sign-in or refresh (rights from ScaiKey's /auth/me,
    /// see <see cref="Infrastructure.Identity.IdentitySignInService"/>), with the display claims.
    /// </summary>
    public static IReadOnlyList<Claim> For(Infrastructure.Identity.SessionIdentity identity, string? organisation, string? locale, string? zoneInfo)
    {
        var claims = new List<Claim> { new(Subject, identity.UserId), new(Email, identity.Email), new(Name, identity.Name) };
        if (identity.Subject != identity.UserId)
        {
            claims.Add(new Claim(ProviderSubject, identity.Subject));
        }

        foreach (var (type, value) in new[] { (PartnerId, identity.PartnerId), (TenantId, identity.TenantId), (Organisation, organisation), (Locale, locale), (ZoneInfo, zoneInfo) })
        {
            if (!string.IsNullOrEmpty(value))
            {
                claims.Add(new Claim(type, value));
            }
        }

        claims.AddRange(identity.Roles.Select(r => new Claim(Roles, r)));
        if (identity.Scopes.Count > 0)
        {
            claims.Add(new Claim(Scopes, string.Join(' ', identity.Scopes)));
        }

        return claims;
    }

    /// <summary>
    /// The provider's claims under ScaiControl's names: the configured partner, tenant, roles and scope claims are
    /// renamed; a claim that carries one of ScaiControl's names but is not the configured one is dropped (so a token
    /// cannot carry rights under a second name). Everything else is kept as it is.
    /// </summary>
    public static ClaimsPrincipal Normalise(ClaimsPrincipal principal, ClaimNames names)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [names.PartnerId] = PartnerId,
            [names.TenantId] = TenantId,
            [names.Roles] = Roles,
            [names.Scopes] = Scopes,
        };
        var reserved = new HashSet<string>([PartnerId, TenantId, Roles, Scopes, ProviderSubject], StringComparer.Ordinal);
        var result = new ClaimsPrincipal();
        foreach (var identity in principal.Identities)
        {
            var claims = new List<Claim>();
            foreach (var claim in identity.Claims)
            {
                if (map.TryGetValue(claim.Type, out var type))
                {
                    claims.Add(new Claim(type, claim.Value, claim.ValueType, claim.Issuer));
                }
                else if (!reserved.Contains(claim.Type))
                {
                    claims.Add(claim);
                }
            }

            result.AddIdentity(new ClaimsIdentity(claims, identity.AuthenticationType, Name, Roles));
        }

        return result;
    }

    /// <summary>The token identity of a principal whose claims <see cref="Normalise"/> mapped.</summary>
    public static Infrastructure.Identity.TokenIdentity ToTokenIdentity(this ClaimsPrincipal principal)
    {
        return new Infrastructure.Identity.TokenIdentity(principal.FindFirst(Subject)?.Value ?? string.Empty, Empty(principal.FindFirst(Email)?.Value), Empty(principal.FindFirst(Name)?.Value),
            Empty(principal.FindFirst(PartnerId)?.Value), Empty(principal.FindFirst(TenantId)?.Value), Many(principal, Roles), Many(principal, Scopes));
    }

    /// <summary>The values of every <paramref name="type"/> claim, each split at spaces (a space-delimited claim or several claims).</summary>
    private static string[] Many(ClaimsPrincipal user, string type) =>
        user.FindAll(type).SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Distinct(StringComparer.Ordinal).ToArray();

    private static string? Empty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

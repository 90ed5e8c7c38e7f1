using Microsoft.EntityFrameworkCore;
using ScaiControl.Domain.Identity;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Distributed;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Infrastructure.Identity;

/// <summary>Where a role reaches a user from.</summary>
public enum GrantSource
{
    /// <summary>The roles (or scopes) of the token the user presented (ScaiKey's current view).</summary>
    Token,

    /// <summary>The roles ScaiKey gives the user, as reflected into the users row by the sync or a sign-in.</summary>
    ScaiKey,

    /// <summary>A role assigned to the user locally (role_assignments).</summary>
    UserAssignment,

    /// <summary>A role assigned locally to a group the user is a member of.</summary>
    Group,
}

/// <summary>
/// One role reaching a user: the role, its scopes, and how (source, and the group for <see cref="GrantSource.Group"/>).
/// A token's bare scopes appear with role "(token scopes)".
/// </summary>
public sealed record RoleGrant(string Role, GrantSource Source, string? GroupId, string? GroupName, IReadOnlyList<string> Scopes);

/// <summary>A scope and every grant that gives it (for the effective-permissions view).</summary>
public sealed record ScopeExplanation(string Scope, IReadOnlyList<RoleGrant> GrantedBy);

/// <summary>
/// The local part of a user's permissions (users row roles, user and group role assignments), cached per user.
/// <paramref name="UserId"/> is null when no local user matches the subject.
/// </summary>
public sealed record LocalGrants(string? UserId, string? PartnerId, string? TenantId, bool Deactivated, IReadOnlyList<RoleGrant> Grants)
{
    /// <summary>No local user.</summary>
    public static LocalGrants None { get; } = new(null, null, null, false, []);
}

/// <summary>
/// A user's effective permissions: the union of the token's roles and scopes, the ScaiKey roles on the users row,
/// the user's local role assignments and the local role assignments of its active groups (spec 002 migrations 003-005:
/// effective permissions = user role scopes ∪ group role scopes). Never lower than the token: a stale or partial
/// local row cannot take a right away (spec 002 migration 013, the "super-admin downgrade after JWT refresh" incident).
/// A deactivated local user has no permissions at all.
/// </summary>
public sealed record EffectivePermissions(string Subject, string? UserId, bool Deactivated, IReadOnlyList<string> Roles, IReadOnlyList<string> Scopes, IReadOnlyList<RoleGrant> Grants)
{
    /// <summary>Each scope with the grants that give it, by scope name.</summary>
    public IReadOnlyList<ScopeExplanation> Explain() =>
        Scopes.Select(s => new ScopeExplanation(s, Grants.Where(g => g.Scopes.Contains(s)).ToArray())).ToArray();
}

/// <summary>
/// Computes <see cref="EffectivePermissions"/> (per request: the local part is cached per user in the
/// <see cref="ISharedCache"/> for <see cref="CacheFor"/>, dropped on every node when assignments, groups or memberships change).
/// Role scopes: a built-in role's come from <see cref="Domain.Tenancy.Roles"/>, a locally defined role's from the roles table.
/// </summary>
public sealed class EffectivePermissionService(ScaiDbFactory factory, ISharedCache cache)
{
    /// <summary>How long a user's local grants stay cached without a change.</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(5);

    private const string GenerationKey = "perm:generation";

    /// <summary>The label of a token's bare scopes in <see cref="RoleGrant.Role"/>.</summary>
    public const string TokenScopes = "(token scopes)";

    /// <summary>
    /// The effective permissions of the token actor <paramref name="token"/>: its roles and scopes joined with the local
    /// grants of the local user whose id or ScaiKey subject is the token's "sub" (when that user belongs to the token's partner).
    /// </summary>
    public async Task<EffectivePermissions> ForTokenAsync(Actor token, CancellationToken ct = default)
    {
        var local = await LocalAsync(token.UserId, ct);
        if (local.UserId is not null && local.PartnerId != token.PartnerId)
        {
            local = LocalGrants.None; // a local row of another partner never lends its rights to this token
        }

        var grants = new List<RoleGrant>();
        grants.AddRange(token.Roles.Select(r => new RoleGrant(r, GrantSource.Token, null, null, Roles.ScopesOf(r))));
        if (token.Scopes.Count > 0)
        {
            grants.Add(new RoleGrant(TokenScopes, GrantSource.Token, null, null, token.Scopes));
        }

        grants.AddRange(local.Grants);
        return Combine(token.UserId, local, grants);
    }

    /// <summary>The effective permissions of local user <paramref name="userId"/> without a token (the admin view); null when no such user.</summary>
    public async Task<EffectivePermissions?> ForUserAsync(string userId, CancellationToken ct = default)
    {
        var local = await LocalAsync(userId, ct);
        return local.UserId is null ? null : Combine(userId, local, local.Grants);
    }

    /// <summary>
    /// Drops the cached grants of one subject (local user id or ScaiKey subject), e.g. after a sign-in created or updated
    /// its users row; every node reads them again on its next request.
    /// </summary>
    public async Task InvalidateUserAsync(string subject, CancellationToken ct = default)
    {
        var generation = await cache.GetOrCreateAsync(GenerationKey, _ => Task.FromResult(Guid.NewGuid().ToString("N")), TimeSpan.FromDays(1), ct: ct);
        await cache.InvalidateAsync($"perm:{generation}:{subject}", ct);
    }

    /// <summary>Drops the cached grants of every user (a role, group, membership or sync change).</summary>
    public Task InvalidateAllAsync(CancellationToken ct = default) => cache.InvalidateAsync(GenerationKey, ct);

    private static EffectivePermissions Combine(string subject, LocalGrants local, IReadOnlyList<RoleGrant> grants)
    {
        if (local.Deactivated)
        {
            return new EffectivePermissions(subject, local.UserId, true, [], [], []);
        }

        var roles = grants.Where(g => g.Role != TokenScopes).Select(g => g.Role).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var scopes = grants.SelectMany(g => g.Scopes).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        return new EffectivePermissions(subject, local.UserId, false, roles, scopes, grants);
    }

    private async Task<LocalGrants> LocalAsync(string subject, CancellationToken ct)
    {
        if (subject.StartsWith("system:", StringComparison.Ordinal) || subject == Actor.Anonymous.UserId)
        {
            return LocalGrants.None;
        }

        var generation = await cache.GetOrCreateAsync(GenerationKey, _ => Task.FromResult(Guid.NewGuid().ToString("N")), TimeSpan.FromDays(1), ct: ct);
        return await cache.GetOrCreateAsync($"perm:{generation}:{subject}", c => LoadAsync(subject, c), CacheFor, ct: ct);
    }

    private async Task<LocalGrants> LoadAsync(string subject, CancellationToken ct)
    {
        await using var db = factory.ForPlatform("system:permissions");
        var user = await db.Users.IgnoreQueryFilters().AsNoTracking()
            .Where(u => u.Id == subject || u.ExternalId == subject)
            .OrderBy(u => u.Id == subject ? 0 : 1)
            .FirstOrDefaultAsync(ct);
        if (user is null)
        {
            return LocalGrants.None;
        }

        var custom = await db.Roles.AsNoTracking().Where(r => !r.BuiltIn).ToDictionaryAsync(r => r.Name, r => r.ScopeList, StringComparer.Ordinal, ct);
        IReadOnlyList<string> ScopesOf(string role) => Roles.IsBuiltIn(role) ? Roles.ScopesOf(role) : custom.GetValueOrDefault(role) ?? [];

        var grants = new List<RoleGrant>();
        grants.AddRange(user.RoleList.Select(r => new RoleGrant(r, GrantSource.ScaiKey, null, null, ScopesOf(r))));
        var own = await db.RoleAssignments.IgnoreQueryFilters().AsNoTracking().Where(a => a.UserId == user.Id).Select(a => a.Role).ToListAsync(ct);
        grants.AddRange(own.Select(r => new RoleGrant(r, GrantSource.UserAssignment, null, null, ScopesOf(r))));
        var viaGroups = await (from m in db.UserGroups.AsNoTracking()
                               join g in db.Groups.IgnoreQueryFilters().AsNoTracking() on m.GroupId equals g.Id
                               join a in db.RoleAssignments.IgnoreQueryFilters().AsNoTracking() on g.Id equals a.GroupId
                               where m.UserId == user.Id && g.Status == UserStatus.Active
                               select new { a.Role, g.Id, g.Name }).ToListAsync(ct);
        grants.AddRange(viaGroups.OrderBy(x => x.Name).Select(x => new RoleGrant(x.Role, GrantSource.Group, x.Id, x.Name, ScopesOf(x.Role))));
        return new LocalGrants(user.Id, user.PartnerId, user.TenantId, !user.IsActive, grants);
    }
}

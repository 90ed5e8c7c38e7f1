using ScaiControl.Domain.Tenancy;

namespace ScaiControl.Infrastructure.Tenancy;

/// <summary>
/// Who is acting: the claims of the spec's ScaiKey JWT (sub, partner_id, tenant_id, roles, scopes), or a system job.
/// A tenant user has a tenant id; a partner admin only a partner id; the operator is super_admin.
/// </summary>
/// <param name="UserId">The JWT "sub", or "system:&lt;job&gt;" for background work.</param>
/// <param name="PartnerId">The JWT "partner_id".</param>
/// <param name="TenantId">The JWT "tenant_id"; null for partner-level and operator users.</param>
/// <param name="Roles">The JWT "roles".</param>
/// <param name="Scopes">The JWT "scope" ("scope:action" permissions, space-delimited in the token).</param>
public sealed record Actor(string UserId, string? PartnerId, string? TenantId, IReadOnlyList<string> Roles, IReadOnlyList<string> Scopes)
{
    /// <summary>Nobody signed in: sees nothing tenant-scoped.</summary>
    public static Actor Anonymous { get; } = new("anonymous", null, null, [], []);

    /// <summary>A background job acting for the platform (crosses tenants through the audited operator path).</summary>
    public static Actor System(string job) => new($"system:{job}", null, null, [Domain.Tenancy.Roles.SuperAdmin], Permissions.All);

    /// <summary>True for the operator (super_admin) and system jobs.</summary>
    public bool IsSuperAdmin => Roles.Contains(Domain.Tenancy.Roles.SuperAdmin);

    /// <summary>True when signed in.</summary>
    public bool IsAuthenticated => UserId != Anonymous.UserId;

    /// <summary>True when the actor holds <paramref name="permission"/> ("scope:action"); super_admin holds all.</summary>
    public bool Can(string permission) => IsSuperAdmin || Scopes.Contains(permission);
}

/// <summary>Gives the current request's or circuit's <see cref="Actor"/> (set by the web layer from the user's claims).</summary>
public interface IActorContext
{
    /// <summary>The acting user or job; <see cref="Actor.Anonymous"/> when nobody is signed in.</summary>
    Actor Current { get; }
}

/// <summary>A settable <see cref="IActorContext"/>, scoped per request / circuit / CLI command.</summary>
public sealed class ActorContext : IActorContext
{
    /// <inheritdoc/>
    public Actor Current { get; set; } = Actor.Anonymous;
}

namespace ScaiControl.Infrastructure.Persistence;

/// <summary>
/// What a <see cref="ScaiDbContext"/> may see and write: one tenant, one partner's tenants, or (only through
/// <see cref="ScaiDbFactory.ForOperatorAsync"/>) every tenant. Fed from the actor's claims; fails closed (sees
/// nothing) when neither id is set.
/// </summary>
/// <param name="ActorId">Recorded as "who" in the audit log.</param>
/// <param name="PartnerId">Partner scope (partner admins and, with <paramref name="TenantId"/>, tenant users).</param>
/// <param name="TenantId">Tenant scope for tenant users.</param>
/// <param name="CrossTenant">True only on the audited operator path.</param>
public sealed record DataScope(string ActorId, string? PartnerId, string? TenantId, bool CrossTenant)
{
    /// <summary>The kind of scope, which picks the shape of the query filters (<see cref="ScaiDbContext.FilterKind"/>).</summary>
    public ScopeKind Kind => CrossTenant ? ScopeKind.CrossTenant : TenantId is not null ? ScopeKind.Tenant : PartnerId is not null ? ScopeKind.Partner : ScopeKind.Nothing;

    /// <summary>A scope that sees nothing tenant-owned.</summary>
    public static DataScope Nothing(string actorId) => new(actorId, null, null, false);
}

/// <summary>What a <see cref="DataScope"/> sees: nothing tenant-owned, one tenant, one partner's tenants, or every tenant.</summary>
public enum ScopeKind
{
    /// <summary>No tenant-owned row (no tenant and no partner: fails closed).</summary>
    Nothing,

    /// <summary>One tenant's rows (TenantId = the scope's tenant).</summary>
    Tenant,

    /// <summary>The rows of one partner's tenants (PartnerId = the scope's partner).</summary>
    Partner,

    /// <summary>Every tenant's rows (the audited operator and system path only).</summary>
    CrossTenant,
}

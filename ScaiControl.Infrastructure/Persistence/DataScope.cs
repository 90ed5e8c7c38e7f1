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
    /// <summary>A scope that sees nothing tenant-owned.</summary>
    public static DataScope Nothing(string actorId) => new(actorId, null, null, false);
}

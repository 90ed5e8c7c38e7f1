using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore.Diagnostics;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Tenancy;

namespace ScaiControl.Infrastructure.Persistence;

/// <summary>
/// Coalesces the "operator_access" audit rows (issue 13): a cross-tenant context no longer writes and commits a row
/// each time it is opened. Per node, one row per (actor, reason, window) when the operator or a job opens the
/// cross-tenant scope (entity "scope", id "*"), and one row per (operator, tenant, window) for the tenants whose rows the
/// operator's contexts actually read (entity "tenant", id and tenant_id = the tenant), so the trail still answers "who
/// read which tenant's data, when" to within <see cref="Window"/>. System jobs ("system:" actors) get the scope
/// row only: their runs are audited by what they write. Windows are aligned to multiples of <see cref="Window"/> since
/// the Unix epoch (UTC); a node that restarts may write a window's row again, never less than once.
/// </summary>
public sealed class OperatorAccessLog
{
    /// <summary>The coalescing window: 15 minutes.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    private readonly ConcurrentDictionary<(string Actor, string Subject, long Window), byte> _written = new();
    private long _currentWindow;

    /// <summary>
    /// Claims the row for (<paramref name="actor"/>, <paramref name="subject"/>) in the window holding
    /// <paramref name="now"/>: true for the first caller in that window (who must write the row, or <see cref="Release"/> it).
    /// </summary>
    public bool TryClaim(string actor, string subject, DateTimeOffset now, out DateTimeOffset windowStart)
    {
        var window = now.ToUnixTimeMilliseconds() / (long)Window.TotalMilliseconds;
        windowStart = DateTimeOffset.FromUnixTimeMilliseconds(window * (long)Window.TotalMilliseconds);
        if (Interlocked.Exchange(ref _currentWindow, window) != window)
        {
            foreach (var old in _written.Keys.Where(k => k.Window < window - 1))
            {
                _written.TryRemove(old, out _);
            }
        }

        return _written.TryAdd((actor, subject, window), 0);
    }

    /// <summary>Gives a claim back (its row could not be written), so the next access writes it.</summary>
    public void Release(string actor, string subject, DateTimeOffset windowStart) =>
        _written.TryRemove((actor, subject, windowStart.ToUnixTimeMilliseconds() / (long)Window.TotalMilliseconds), out _);
}

/// <summary>
/// Notes, in a cross-tenant context, which tenants' rows were materialised (tenant-owned entities and tenants), for
/// the coalesced operator_access rows written when the context is disposed (<see cref="OperatorAccessLog"/>).
/// Projections that materialise no entity are covered by the scope row of their context.
/// </summary>
/// <remarks>
/// A materialization interceptor is a singleton interceptor: EF Core keys its internal service provider by the
/// instance, so every factory shares <see cref="Instance"/> (a new one per factory built a provider each).
/// </remarks>
public sealed class TenantReadInterceptor : IMaterializationInterceptor
{
    /// <summary>The one instance (stateless).</summary>
    public static readonly TenantReadInterceptor Instance = new();

    private TenantReadInterceptor()
    {
    }

    /// <inheritdoc/>
    public object InitializedInstance(MaterializationInterceptionData materializationData, object entity)
    {
        if (materializationData.Context is ScaiDbContext { Scope.CrossTenant: true } db)
        {
            switch (entity)
            {
                case ITenantOwned owned:
                    db.NoteTenantRead(owned.PartnerId, owned.TenantId);
                    break;
                case Tenant tenant:
                    db.NoteTenantRead(tenant.PartnerId, tenant.Id);
                    break;
            }
        }

        return entity;
    }
}

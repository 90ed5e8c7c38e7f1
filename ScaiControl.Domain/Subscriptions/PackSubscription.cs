using ScaiControl.Domain.Catalog;
using ScaiControl.Domain.Common;

namespace ScaiControl.Domain.Subscriptions;

/// <summary>
/// The parent of a pack's child subscriptions (spec 002 migration 014): one billable line at the pack price, one
/// lifecycle that propagates to every child in the same transaction. Uses the subscription states and
/// <see cref="SubscriptionStateMachine"/>. Times are UTC; money in minor units.
/// </summary>
public sealed class PackSubscription : AggregateRoot, ITenantOwned
{
    private PackSubscription() { }

    /// <summary>A pending pack subscription at the pack's current price.</summary>
    public PackSubscription(string partnerId, string tenantId, ServicePack pack, long priceMinor, DateTimeOffset now)
    {
        Id = Ids.New("psb");
        PartnerId = partnerId;
        TenantId = tenantId;
        PackId = pack.Id;
        PriceMinor = priceMinor;
        Currency = pack.Currency;
        Interval = pack.Interval;
        Status = SubscriptionStatus.Pending;
        CurrentPeriodStart = now;
        CurrentPeriodEnd = pack.Interval.PeriodEnd(now);
        BillingAnchor = now;
        CreatedAt = now;
        UpdatedAt = now;
    }

    public string Id { get; private set; } = default!;
    public string PartnerId { get; private set; } = default!;
    public string TenantId { get; private set; } = default!;
    public string PackId { get; private set; } = default!;

    /// <summary>The pack price per interval in minor units, fixed at subscription time.</summary>
    public long PriceMinor { get; private set; }

    /// <summary>ISO 4217 code of <see cref="PriceMinor"/>.</summary>
    public string Currency { get; private set; } = default!;
    public BillingInterval Interval { get; private set; }
    public SubscriptionStatus Status { get; private set; }
    public DateTimeOffset CurrentPeriodStart { get; private set; }
    public DateTimeOffset CurrentPeriodEnd { get; private set; }
    public DateTimeOffset BillingAnchor { get; private set; }
    public DateTimeOffset? BilledThrough { get; private set; }
    public string? CancellationReason { get; private set; }
    public DateTimeOffset? CancelledAt { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
}

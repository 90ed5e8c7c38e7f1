using ScaiControl.Domain.Common;

namespace ScaiControl.Domain.Usage;

/// <summary>
/// One raw usage event as it was accepted (issue 15, "Storage"): append-only, never changed (corrections are stored
/// apart). The idempotency key is (tenant, source, event_id): a retry of the same event is a duplicate for as long as
/// the row is kept. Written by the ingestion's provider-specific multi-row insert-ignore, read for listings.
/// </summary>
public sealed class UsageEvent : ITenantOwned
{
    /// <summary>Longest event_id accepted.</summary>
    public const int MaxEventIdLength = 200;

    /// <summary>Longest source name.</summary>
    public const int MaxSourceLength = 100;

    /// <summary>Longest serialised properties object, in characters.</summary>
    public const int MaxPropertiesLength = 4000;

    private UsageEvent() { }

    /// <summary>Creates the row of an accepted event.</summary>
    public UsageEvent(string partnerId, string tenantId, string source, string eventId, string meterId, string subscriptionId,
        DateTimeOffset occurredAt, UsageQuantity quantity, string propertiesJson, string? uniqueValue, long? unitCostMicroMinor, DateTimeOffset receivedAt)
    {
        Id = Ids.New("uev");
        PartnerId = partnerId;
        TenantId = tenantId;
        Source = source;
        EventId = eventId;
        MeterId = meterId;
        SubscriptionId = subscriptionId;
        OccurredAt = occurredAt;
        QuantityMicro = quantity.Micro;
        PropertiesJson = propertiesJson;
        UniqueValue = uniqueValue;
        UnitCostMicroMinor = unitCostMicroMinor;
        ReceivedAt = receivedAt;
    }

    /// <summary>Time-ordered row id ("uev_..."), the listing's cursor.</summary>
    public string Id { get; private set; } = default!;

    /// <inheritdoc/>
    public string PartnerId { get; private set; } = default!;

    /// <inheritdoc/>
    public string TenantId { get; private set; } = default!;

    /// <summary>Who reported it: a registered service's app id, "partner:&lt;id&gt;", "tenant" or "operator".</summary>
    public string Source { get; private set; } = default!;

    /// <summary>The client's idempotency key.</summary>
    public string EventId { get; private set; } = default!;
    public string MeterId { get; private set; } = default!;

    /// <summary>The tenant's subscription to the meter's service the event was attributed to.</summary>
    public string SubscriptionId { get; private set; } = default!;

    /// <summary>The event's timestamp (UTC).</summary>
    public DateTimeOffset OccurredAt { get; private set; }

    /// <summary>Quantity in millionths of the meter's unit (<see cref="UsageQuantity"/>).</summary>
    public long QuantityMicro { get; private set; }

    /// <summary>The event's properties as a JSON object.</summary>
    public string PropertiesJson { get; private set; } = "{}";

    /// <summary>unique_count meters: the value of the counted property.</summary>
    public string? UniqueValue { get; private set; }

    /// <summary>Cost-plus charges: the unit cost in force when the event was ingested (spec 002 migration 007), millionths of a minor unit.</summary>
    public long? UnitCostMicroMinor { get; private set; }

    /// <summary>When ScaiControl stored it (UTC).</summary>
    public DateTimeOffset ReceivedAt { get; private set; }
}

/// <summary>The grain of a <see cref="UsageRollup"/>.</summary>
public enum RollupGrain
{
    /// <summary>One UTC hour.</summary>
    Hour,

    /// <summary>One UTC day.</summary>
    Day,
}

/// <summary>
/// The roll-up of one (tenant, subscription, meter, grain, bucket): maintained in the transaction that stores the events,
/// so invoicing, quotas and charts read these rows and never scan raw events. Holds every aggregate (sum, count, max,
/// latest, unique count of values new that day); the meter's aggregation picks one.
/// </summary>
public sealed class UsageRollup : ITenantOwned
{
    private UsageRollup() { }

    /// <summary>An empty roll-up row (for tests and rebuilds).</summary>
    public UsageRollup(string partnerId, string tenantId, string subscriptionId, string meterId, RollupGrain grain, DateTimeOffset bucketStart)
    {
        PartnerId = partnerId;
        TenantId = tenantId;
        SubscriptionId = subscriptionId;
        MeterId = meterId;
        Grain = grain;
        BucketStart = bucketStart;
    }

    /// <inheritdoc/>
    public string PartnerId { get; private set; } = default!;

    /// <inheritdoc/>
    public string TenantId { get; private set; } = default!;
    public string SubscriptionId { get; private set; } = default!;
    public string MeterId { get; private set; } = default!;
    public RollupGrain Grain { get; private set; }

    /// <summary>Start of the hour or day (UTC).</summary>
    public DateTimeOffset BucketStart { get; private set; }

    /// <summary>Sum of quantities, millionths of a unit.</summary>
    public long QuantityMicro { get; private set; }

    /// <summary>Number of events.</summary>
    public long EventCount { get; private set; }

    /// <summary>Largest quantity, millionths.</summary>
    public long MaxMicro { get; private set; }

    /// <summary>Quantity of the event with the latest timestamp, millionths.</summary>
    public long LatestMicro { get; private set; }

    /// <summary>Timestamp of that event.</summary>
    public DateTimeOffset LatestAt { get; private set; }

    /// <summary>unique_count meters: values first seen on this day (in this hour, for hour rows).</summary>
    public long UniqueCount { get; private set; }

    /// <summary>The start of the bucket of <paramref name="instant"/> at <paramref name="grain"/> (UTC).</summary>
    public static DateTimeOffset BucketOf(DateTimeOffset instant, RollupGrain grain)
    {
        var u = instant.ToUniversalTime();
        return grain == RollupGrain.Hour
            ? new DateTimeOffset(u.Year, u.Month, u.Day, u.Hour, 0, 0, TimeSpan.Zero)
            : new DateTimeOffset(u.Year, u.Month, u.Day, 0, 0, 0, TimeSpan.Zero);
    }
}

/// <summary>A distinct value of a unique_count meter's property per (tenant, subscription, meter, day): the roll-ups' set.</summary>
public sealed class UsageUniqueValue : ITenantOwned
{
    private UsageUniqueValue() { }

    /// <inheritdoc/>
    public string PartnerId { get; private set; } = default!;

    /// <inheritdoc/>
    public string TenantId { get; private set; } = default!;
    public string SubscriptionId { get; private set; } = default!;
    public string MeterId { get; private set; } = default!;

    /// <summary>The UTC day.</summary>
    public DateTimeOffset Day { get; private set; }
    public string Value { get; private set; } = default!;
}

/// <summary>
/// That the soft quota of a (subscription, meter) was reached in the period starting at <see cref="PeriodStart"/>:
/// written once, with usage.quota_reached.v1, in the ingestion's transaction; its key makes the event once per period.
/// </summary>
public sealed class UsageQuotaNotice : ITenantOwned
{
    private UsageQuotaNotice() { }

    /// <inheritdoc/>
    public string PartnerId { get; private set; } = default!;

    /// <inheritdoc/>
    public string TenantId { get; private set; } = default!;
    public string SubscriptionId { get; private set; } = default!;
    public string MeterId { get; private set; } = default!;

    /// <summary>The start of the subscription period the notice is for (UTC).</summary>
    public DateTimeOffset PeriodStart { get; private set; }

    /// <summary>When the quota was found reached.</summary>
    public DateTimeOffset ReachedAt { get; private set; }
}

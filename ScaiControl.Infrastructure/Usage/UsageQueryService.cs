using System.Text;
using Microsoft.EntityFrameworkCore;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Domain.Usage;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Infrastructure.Usage;

/// <summary>One bucket of a usage summary: [start, end), the meter's aggregate over it (decimal text) and the events counted.</summary>
public sealed record UsageBucket(DateTimeOffset Start, DateTimeOffset End, string Quantity, long Events);

/// <summary>A meter's usage over the summary's range: its aggregate total (decimal text, the meter's aggregation) and the buckets.</summary>
public sealed record UsageMeterSummary(string MeterId, string Meter, string Aggregation, string Unit, string Total, long Events, IReadOnlyList<UsageBucket> Buckets);

/// <summary>The answer of GET /api/v1/usage/summary.</summary>
public sealed record UsageSummary(string SubscriptionId, string TenantId, DateTimeOffset From, DateTimeOffset To, string Granularity, IReadOnlyList<UsageMeterSummary> Meters);

/// <summary>The answer of GET /api/v1/usage/quota: used (decimal text) against soft and hard limits (whole units) in the current period; state ok | soft_reached | hard_reached.</summary>
public sealed record UsageQuota(string TenantId, string SubscriptionId, string MeterId, string Meter, string Unit, DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd,
    string Used, long? SoftLimit, long? HardLimit, bool RejectOverHardLimit, string State);

/// <summary>One stored usage event as listed by GET /api/v1/usage/events (quantity as decimal text).</summary>
public sealed record UsageEventItem(string EventId, string Source, string TenantId, string SubscriptionId, string MeterId, string Quantity, DateTimeOffset Timestamp, DateTimeOffset ReceivedAt, string PropertiesJson);

/// <summary>
/// Usage reads (issue 15): the summary per hour, day or period from the hour/day roll-ups only (never raw events), and
/// the cursor-paged event listing in primary-key order (tenant, source, event_id). Tenant scope is the actor's: a tenant
/// sees its own subscriptions, a partner its tenants', the operator all (audited); any other subscription is 404.
/// Callable from the REST endpoints and the MCP tools.
/// </summary>
public sealed class UsageQueryService(ScaiDbFactory factory)
{
    /// <summary>Longest range of an hourly summary (93 days: 2,232 buckets).</summary>
    public static readonly TimeSpan MaxHourRange = TimeSpan.FromDays(93);

    /// <summary>Longest range of a daily or period summary (about 10 years).</summary>
    public static readonly TimeSpan MaxDayRange = TimeSpan.FromDays(3660);

    /// <summary>
    /// The usage of <paramref name="subscriptionId"/> (all its service's meters, or <paramref name="meter"/>, by code or
    /// service.code) over [<paramref name="from"/>, <paramref name="to"/>) — by default the current period, its bounds
    /// rounded down to the hour — at <paramref name="granularity"/>: hour (hour roll-ups; bounds on whole hours), day
    /// (day roll-ups; bounds on UTC midnights) or period (one bucket over the range from the hour roll-ups; bounds on
    /// whole hours). Per bucket the meter's aggregation applies: sum of quantities, count of events, max, latest (the
    /// quantity with the latest timestamp), unique_count (distinct values per day; a period or range total counts a
    /// value once over the days of the range).
    /// </summary>
    /// <exception cref="DomainValidationException">Bad granularity, bounds not RFC 3339, not aligned, from ≥ to or a range too long; an unknown meter.</exception>
    /// <exception cref="NotFoundException">The subscription is not one the actor may see.</exception>
    public async Task<UsageSummary> SummaryAsync(Actor actor, string? subscriptionId, string? meter, string? from, string? to, string? granularity, CancellationToken ct)
    {
        var grain = granularity switch
        {
            null or "" or "day" => "day",
            "hour" => "hour",
            "period" => "period",
            _ => throw new DomainValidationException("granularity", "granularity must be hour, day or period."),
        };
        await using var db = await factory.OpenAsync(actor, "usage summary", ct);
        var subscription = await SubscriptionAsync(db, subscriptionId, ct);
        var step = grain == "day" ? RollupGrain.Day : RollupGrain.Hour;
        var (start, end) = Range(subscription, from, to, step, grain == "hour" ? MaxHourRange : MaxDayRange);
        var meters = await MetersAsync(db, subscription.ServiceId, meter, ct);
        var meterIds = meters.Select(m => m.Id).ToList();
        var storedGrain = step;
        var rows = await db.UsageRollups.AsNoTracking()
            .Where(r => r.TenantId == subscription.TenantId && r.SubscriptionId == subscription.Id && meterIds.Contains(r.MeterId) && r.Grain == storedGrain
                && r.BucketStart >= start && r.BucketStart < end)
            .ToListAsync(ct);
        var distinct = await DistinctValuesAsync(db, subscription.TenantId, subscription.Id, meters, start, end, ct);

        var result = new List<UsageMeterSummary>();
        foreach (var m in meters.OrderBy(m => m.Code, StringComparer.Ordinal))
        {
            var mine = rows.Where(r => r.MeterId == m.Id).ToList();
            var buckets = new List<UsageBucket>();
            if (grain == "period")
            {
                buckets.Add(new UsageBucket(start, end, Aggregate(m, mine, distinct.GetValueOrDefault(m.Id)).ToString(), mine.Sum(r => r.EventCount)));
            }
            else
            {
                var size = step == RollupGrain.Hour ? TimeSpan.FromHours(1) : TimeSpan.FromDays(1);
                var byStart = mine.ToLookup(r => r.BucketStart);
                for (var b = start; b < end; b += size)
                {
                    var inBucket = byStart[b].ToList();
                    buckets.Add(new UsageBucket(b, b + size, Aggregate(m, inBucket, null).ToString(), inBucket.Sum(r => r.EventCount)));
                }
            }

            result.Add(new UsageMeterSummary(m.Id, m.Code, m.Aggregation.WireName(), m.Unit, Aggregate(m, mine, distinct.GetValueOrDefault(m.Id)).ToString(), mine.Sum(r => r.EventCount), buckets));
        }

        return new UsageSummary(subscription.Id, subscription.TenantId, start, end, grain, result);
    }

    /// <summary>
    /// One page of the stored events of <paramref name="subscriptionId"/> (optionally one meter, occurred in
    /// [from, to)), in primary-key order (source, event_id within the tenant), <paramref name="limit"/> (1-200, default
    /// 100) per page; the cursor is the opaque key of the page's last row, so a page costs the same at any depth.
    /// </summary>
    /// <exception cref="DomainValidationException">Bad bounds, limit or cursor; an unknown meter.</exception>
    /// <exception cref="NotFoundException">The subscription is not one the actor may see.</exception>
    public async Task<Page<UsageEventItem>> EventsAsync(Actor actor, string? subscriptionId, string? meter, string? from, string? to, string? cursor, int? limit, CancellationToken ct)
    {
        var size = limit ?? 100;
        if (size is < 1 or > Paging.MaxLimit)
        {
            throw new DomainValidationException("limit", $"limit must be between 1 and {Paging.MaxLimit}.");
        }

        DateTimeOffset? start = null, end = null;
        if (!string.IsNullOrEmpty(from))
        {
            start = UsageIngestionService.TryParseInstant(from, out var f) ? f : throw new DomainValidationException("from", "from must be an RFC 3339 date-time.");
        }

        if (!string.IsNullOrEmpty(to))
        {
            end = UsageIngestionService.TryParseInstant(to, out var t) ? t : throw new DomainValidationException("to", "to must be an RFC 3339 date-time.");
        }

        if (start >= end)
        {
            throw new DomainValidationException("to", "to must lie after from.");
        }

        var (afterSource, afterEvent) = DecodeCursor(cursor);
        await using var db = await factory.OpenAsync(actor, "usage events", ct);
        var subscription = await SubscriptionAsync(db, subscriptionId, ct);
        var query = db.UsageEvents.AsNoTracking().Where(e => e.TenantId == subscription.TenantId && e.SubscriptionId == subscription.Id);
        if (!string.IsNullOrEmpty(meter))
        {
            var meterId = (await MetersAsync(db, subscription.ServiceId, meter, ct))[0].Id;
            query = query.Where(e => e.MeterId == meterId);
        }

        if (start is { } s)
        {
            query = query.Where(e => e.OccurredAt >= s);
        }

        if (end is { } en)
        {
            query = query.Where(e => e.OccurredAt < en);
        }

        if (afterSource is not null)
        {
            // string.Compare(a, b) is what EF translates to a > b on every provider (with a comparison type it cannot).
#pragma warning disable CA1309
            query = query.Where(e => string.Compare(e.Source, afterSource) > 0 || (e.Source == afterSource && string.Compare(e.EventId, afterEvent) > 0));
#pragma warning restore CA1309
        }

        var rows = await query.OrderBy(e => e.Source).ThenBy(e => e.EventId).Take(size + 1).ToListAsync(ct);
        var next = rows.Count > size ? EncodeCursor(rows[size - 1].Source, rows[size - 1].EventId) : null;
        return new Page<UsageEventItem>(rows.Take(size).Select(e => new UsageEventItem(e.EventId, e.Source, e.TenantId, e.SubscriptionId, e.MeterId,
            new UsageQuantity(e.QuantityMicro).ToString(), e.OccurredAt, e.ReceivedAt, e.PropertiesJson)).ToList(), next);
    }

    /// <summary>
    /// The quota state of <paramref name="meter"/> for <paramref name="tenantId"/> (default: the caller's tenant) in the
    /// current period of the tenant's live subscription to the meter's service: used so far (from the hour roll-ups,
    /// period bounds rounded down to the hour), the plan's soft and hard limits (units, null = none) and the state
    /// ok | soft_reached | hard_reached (used ≥ the limit).
    /// </summary>
    /// <exception cref="DomainValidationException">No meter, or no tenant for a caller that is not a tenant.</exception>
    /// <exception cref="NotFoundException">A tenant the actor may not see, an unknown meter, or no live subscription to its service.</exception>
    public async Task<UsageQuota> QuotaAsync(Actor actor, string? tenantId, string? meter, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(meter))
        {
            throw new DomainValidationException("meter", "meter is required.");
        }

        var tenant = string.IsNullOrEmpty(tenantId) ? actor.TenantId : tenantId;
        if (tenant is null)
        {
            throw new DomainValidationException("tenant_id", "tenant_id is required for a caller that is not a tenant.");
        }

        await using var db = await factory.OpenAsync(actor, "usage quota", ct);
        if (!await db.Tenants.AnyAsync(t => t.Id == tenant, ct))
        {
            throw new NotFoundException("Tenant", tenant);
        }

        var candidates = await (from m in db.Meters.AsNoTracking() join s in db.Services on m.ServiceId equals s.Id
                                where m.Code == meter || s.Slug + "." + m.Code == meter select m).ToListAsync(ct);
        var serviceIds = candidates.Select(m => m.ServiceId).ToList();
        var subscription = (await db.Subscriptions.AsNoTracking().Where(s => s.TenantId == tenant && serviceIds.Contains(s.ServiceId) && Live.Contains(s.Status)).ToListAsync(ct))
            .OrderByDescending(s => s.CreatedAt).FirstOrDefault() ?? throw new NotFoundException("Subscription to the service of meter", meter);
        var theMeter = candidates.First(m => m.ServiceId == subscription.ServiceId);
        var charge = await db.PlanUsageCharges.AsNoTracking().FirstOrDefaultAsync(c => c.PlanId == subscription.PlanId && c.MeterId == theMeter.Id, ct);
        var used = await UsedAsync(db, subscription.TenantId, subscription.Id, theMeter, subscription.CurrentPeriodStart, subscription.CurrentPeriodEnd, ct);
        return new UsageQuota(tenant, subscription.Id, theMeter.Id, theMeter.Code, theMeter.Unit, subscription.CurrentPeriodStart, subscription.CurrentPeriodEnd, used.ToString(),
            charge?.SoftLimitUnits, charge?.HardLimitUnits, charge?.RejectOverHardLimit ?? false, StateOf(used, charge?.SoftLimitUnits, charge?.HardLimitUnits));
    }

    /// <summary>Subscription states that take usage.</summary>
    internal static readonly SubscriptionStatus[] Live = [SubscriptionStatus.Trialing, SubscriptionStatus.Active, SubscriptionStatus.PastDue, SubscriptionStatus.Cancelling];

    /// <summary>ok | soft_reached | hard_reached for <paramref name="used"/> against the limits (whole units).</summary>
    public static string StateOf(UsageQuantity used, long? soft, long? hard) =>
        hard is { } h && used.Micro >= h * UsageQuantity.PerUnit ? "hard_reached"
        : soft is { } s && used.Micro >= s * UsageQuantity.PerUnit ? "soft_reached"
        : "ok";

    /// <summary>
    /// The meter's aggregate in the period [<paramref name="periodStart"/>, <paramref name="periodEnd"/>) of a
    /// subscription, from the hour roll-ups (start rounded down to the hour), in the caller's context and transaction.
    /// The caller has checked that the actor may see the subscription (the ingestion's platform context has no tenant scope).
    /// </summary>
    internal static async Task<UsageQuantity> UsedAsync(ScaiDbContext db, string tenantId, string subscriptionId, Meter meter, DateTimeOffset periodStart, DateTimeOffset periodEnd, CancellationToken ct)
    {
        var start = UsageRollup.BucketOf(periodStart, RollupGrain.Hour);
        var rows = await db.UsageRollups.IgnoreQueryFilters().AsNoTracking()
            .Where(r => r.TenantId == tenantId && r.SubscriptionId == subscriptionId && r.MeterId == meter.Id && r.Grain == RollupGrain.Hour
                && r.BucketStart >= start && r.BucketStart < periodEnd).ToListAsync(ct);
        var distinct = await DistinctValuesAsync(db, tenantId, subscriptionId, [meter], start, periodEnd, ct);
        return Aggregate(meter, rows, distinct.TryGetValue(meter.Id, out var d) ? d : null);
    }

    /// <summary>The meter's aggregate over roll-up rows (count: events as units; unique_count: <paramref name="distinct"/> when known, else the rows' sum).</summary>
    internal static UsageQuantity Aggregate(Meter meter, IReadOnlyCollection<UsageRollup> rows, long? distinct) => meter.Aggregation switch
    {
        _ when rows.Count == 0 && distinct is null => UsageQuantity.Zero,
        MeterAggregation.Sum => new UsageQuantity(rows.Sum(r => r.QuantityMicro)),
        MeterAggregation.Count => UsageQuantity.Units(rows.Sum(r => r.EventCount)),
        MeterAggregation.Max => new UsageQuantity(rows.Max(r => r.MaxMicro)),
        MeterAggregation.Latest => new UsageQuantity(rows.Where(r => r.EventCount > 0).OrderBy(r => r.LatestAt).LastOrDefault()?.LatestMicro ?? 0), // hours whose events were all voided hold none
        MeterAggregation.UniqueCount => UsageQuantity.Units(distinct ?? rows.Sum(r => r.UniqueCount)),
        _ => UsageQuantity.Zero,
    };

    /// <summary>unique_count meters: distinct values over the days that [start, end) touches, from usage_unique_values.</summary>
    internal static async Task<Dictionary<string, long>> DistinctValuesAsync(ScaiDbContext db, string tenantId, string subscriptionId, IReadOnlyList<Meter> meters, DateTimeOffset start, DateTimeOffset end, CancellationToken ct)
    {
        var unique = meters.Where(m => m.Aggregation == MeterAggregation.UniqueCount).Select(m => m.Id).ToList();
        if (unique.Count == 0)
        {
            return [];
        }

        var firstDay = UsageRollup.BucketOf(start, RollupGrain.Day);
        var counts = await db.UsageUniqueValues.IgnoreQueryFilters().AsNoTracking()
            .Where(v => v.TenantId == tenantId && v.SubscriptionId == subscriptionId && unique.Contains(v.MeterId) && v.Day >= firstDay && v.Day < end)
            .GroupBy(v => v.MeterId).Select(g => new { g.Key, Count = g.Select(v => v.Value).Distinct().Count() }).ToListAsync(ct);
        return counts.ToDictionary(c => c.Key, c => (long)c.Count);
    }

    /// <summary>The subscription if the scoped context sees it.</summary>
    /// <exception cref="DomainValidationException">No id given.</exception>
    /// <exception cref="NotFoundException">Not visible.</exception>
    internal static async Task<Subscription> SubscriptionAsync(ScaiDbContext db, string? subscriptionId, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(subscriptionId))
        {
            throw new DomainValidationException("subscription_id", "subscription_id is required.");
        }

        return await db.Subscriptions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == subscriptionId, ct) ?? throw new NotFoundException("Subscription", subscriptionId);
    }

    /// <summary>The active meters of <paramref name="serviceId"/>, or the one named <paramref name="meter"/> (code or service-slug.code).</summary>
    /// <exception cref="DomainValidationException">No such meter of the service (field "meter").</exception>
    internal static async Task<List<Meter>> MetersAsync(ScaiDbContext db, string serviceId, string? meter, CancellationToken ct)
    {
        var all = await (from m in db.Meters.AsNoTracking() join s in db.Services on m.ServiceId equals s.Id where m.ServiceId == serviceId select new { Meter = m, s.Slug }).ToListAsync(ct);
        if (string.IsNullOrEmpty(meter))
        {
            return all.Select(m => m.Meter).ToList();
        }

        var one = all.FirstOrDefault(m => m.Meter.Code == meter || m.Slug + "." + m.Meter.Code == meter)
            ?? throw new DomainValidationException("meter", $"meter '{meter}' is not a meter of the subscription's service.");
        return [one.Meter];
    }

    private static (DateTimeOffset Start, DateTimeOffset End) Range(Subscription subscription, string? from, string? to, RollupGrain step, TimeSpan max)
    {
        DateTimeOffset Bound(string? text, DateTimeOffset fallback, string field)
        {
            if (string.IsNullOrEmpty(text))
            {
                return UsageRollup.BucketOf(fallback, step);
            }

            if (!UsageIngestionService.TryParseInstant(text, out var v))
            {
                throw new DomainValidationException(field, $"{field} must be an RFC 3339 date-time, e.g. 2026-12-01T00:00:00Z.");
            }

            v = v.ToUniversalTime();
            if (UsageRollup.BucketOf(v, step) != v)
            {
                throw new DomainValidationException(field, step == RollupGrain.Hour ? $"{field} must be a whole hour (UTC)." : $"{field} must be a UTC midnight for a daily summary.");
            }

            return v;
        }

        var start = Bound(from, subscription.CurrentPeriodStart, "from");
        var end = Bound(to, subscription.CurrentPeriodEnd + (step == RollupGrain.Day ? TimeSpan.FromDays(1) : TimeSpan.FromHours(1)) - TimeSpan.FromTicks(1), "to");
        if (end <= start)
        {
            throw new DomainValidationException("to", "to must lie after from.");
        }

        if (end - start > max)
        {
            throw new DomainValidationException("to", $"The range may span at most {max.TotalDays:0} days at this granularity.");
        }

        return (start, end);
    }

    private static string EncodeCursor(string source, string eventId) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(source + "\n" + eventId)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static (string? Source, string? EventId) DecodeCursor(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return (null, null);
        }

        try
        {
            var b64 = cursor.Replace('-', '+').Replace('_', '/');
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(b64.PadRight(b64.Length + ((4 - (b64.Length % 4)) % 4), '=')));
            var parts = text.Split('\n');
            if (parts.Length == 2 && parts[0].Length > 0 && parts[1].Length > 0)
            {
                return (parts[0], parts[1]);
            }
        }
        catch (FormatException)
        {
        }

        throw new DomainValidationException("cursor", "cursor is not a value this list returned as next_cursor.");
    }
}

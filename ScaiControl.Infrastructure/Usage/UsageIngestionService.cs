using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Domain.Usage;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Infrastructure.Usage;

/// <summary>Usage settings (configuration section "Usage").</summary>
public sealed class UsageOptions
{
    /// <summary>Most events in one batch (1,000).</summary>
    public int MaxBatchSize { get; set; } = 1000;

    /// <summary>How far back an event's timestamp may lie (the correction window; default 35 days).</summary>
    public TimeSpan LateWindow { get; set; } = TimeSpan.FromDays(35);

    /// <summary>How far ahead of the server clock a timestamp may lie (5 minutes).</summary>
    public TimeSpan FutureSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long after the invoice carrying a period's usage was finalised a correction still belongs to that period
    /// (default 7 days; the next invoice bills the difference as the period's adjustment); later it becomes a pending
    /// charge or credit of its own. At most 55 days (<see cref="Invoicing.UsageBilling.RepriceWindow"/> − LateWindow).
    /// </summary>
    public TimeSpan CorrectionGrace { get; set; } = TimeSpan.FromDays(7);
}

/// <summary>One event as the client sent it; the raw text of each field (quantity: the JSON string, or the number's digits).</summary>
public sealed record UsageEventInput(string? EventId, string? TenantId, string? Meter, string? Quantity, string? Timestamp, JsonElement? Properties, string? ShapeError = null);

/// <summary>The answer for one event: status accepted | duplicate | rejected; rejected ones carry a code and a reason.</summary>
public sealed record UsageEventOutcome(int Index, string? EventId, string Status, string? Code = null, string? Reason = null);

/// <summary>The answer for a batch, in the order sent.</summary>
public sealed record UsageBatchResult(int Accepted, int Duplicates, int Rejected, IReadOnlyList<UsageEventOutcome> Results);

/// <summary>
/// Usage ingestion (issue 15): validates each event on its own (unknown meter, bad quantity, timestamp outside
/// [now − LateWindow, now + FutureSkew], not the caller's tenant, no subscription to the meter's service, properties
/// not matching the meter's filters), stores the valid ones with one multi-row insert-ignore per chunk (dedup on
/// (tenant, source, event_id) against every stored event) and adds exactly the newly stored ones to the hour and day
/// roll-ups, all in ONE transaction that is committed before the answer: an acknowledged event is durable, a rejected
/// one writes nothing. Callers: a tenant (token or key) for its own tenant; a partner or service key for its
/// partner's tenants; the operator for any tenant. Callable outside the endpoints (CLI import, MCP).
/// </summary>
public sealed partial class UsageIngestionService(ScaiDbFactory factory, TimeProvider clock, UsageOptions options)
{
    /// <summary>Accepted.</summary>
    public const string Accepted = "accepted";

    /// <summary>Already stored (a safe retry).</summary>
    public const string Duplicate = "duplicate";

    /// <summary>Refused with a reason; nothing of it was written.</summary>
    public const string Rejected = "rejected";

    private readonly UsageSql _sql = new(factory.Provider);

    /// <summary>
    /// The dedup source of <paramref name="actor"/>: a service key's service_app_id (kept across key rotation), else
    /// "partner:&lt;id&gt;" for partner callers, "tenant" for a tenant's token or key, "operator" for the operator.
    /// </summary>
    public async Task<string> SourceOfAsync(Actor actor, CancellationToken ct)
    {
        if (actor.UserId.StartsWith("apikey:", StringComparison.Ordinal))
        {
            await using var db = factory.ForPlatform("system:usage");
            var keyId = actor.UserId["apikey:".Length..];
            var app = await db.ApiKeys.IgnoreQueryFilters().Where(k => k.Id == keyId).Select(k => k.ServiceAppId).FirstOrDefaultAsync(ct);
            if (app is not null)
            {
                return "service:" + app;
            }
        }

        return actor.TenantId is not null ? "tenant" : actor.IsSuperAdmin ? "operator" : "partner:" + actor.PartnerId;
    }

    /// <summary>Ingests one batch for <paramref name="actor"/> (see the class summary).</summary>
    /// <exception cref="Domain.Common.DomainValidationException">An empty batch, or more than MaxBatchSize events (field "events").</exception>
    public async Task<UsageBatchResult> IngestAsync(Actor actor, IReadOnlyList<UsageEventInput> events, CancellationToken ct)
    {
        if (events.Count == 0)
        {
            throw new Domain.Common.DomainValidationException("events", "A batch needs at least one event.");
        }

        if (events.Count > options.MaxBatchSize)
        {
            throw new BatchTooLargeException(options.MaxBatchSize);
        }

        var source = await SourceOfAsync(actor, ct);
        var now = clock.GetUtcNow();
        var outcomes = new UsageEventOutcome?[events.Count];
        await using var db = factory.ForPlatform("system:usage");

        // Reference data for the whole batch: tenants, meters, subscriptions, charges (one query each).
        var tenantIds = events.Select(e => string.IsNullOrEmpty(e.TenantId) ? actor.TenantId : e.TenantId).OfType<string>().Distinct().ToList();
        var tenants = await db.Tenants.IgnoreQueryFilters().Where(t => tenantIds.Contains(t.Id)).Select(t => new { t.Id, t.PartnerId }).ToDictionaryAsync(t => t.Id, t => t.PartnerId, ct);
        var meterCodes = events.Select(e => e.Meter).OfType<string>().Distinct().ToList();
        var meters = await (from m in db.Meters
                            join s in db.Services on m.ServiceId equals s.Id
                            where m.IsActive && (meterCodes.Contains(m.Code) || meterCodes.Contains(s.Slug + "." + m.Code))
                            select new { Meter = m, s.Slug }).ToListAsync(ct);
        var meterFilters = meters.ToDictionary(m => m.Meter.Id, m => m.Meter.Filters);
        var serviceIds = meters.Select(m => m.Meter.ServiceId).Distinct().ToList();
        var live = new[] { SubscriptionStatus.Trialing, SubscriptionStatus.Active, SubscriptionStatus.PastDue, SubscriptionStatus.Cancelling };
        var subscriptions = (await db.Subscriptions.IgnoreQueryFilters()
                .Where(s => tenantIds.Contains(s.TenantId) && serviceIds.Contains(s.ServiceId) && live.Contains(s.Status))
                .Select(s => new { s.Id, s.TenantId, s.ServiceId, s.PlanId, s.CreatedAt, s.CurrentPeriodStart, s.CurrentPeriodEnd }).ToListAsync(ct))
            .GroupBy(s => (s.TenantId, s.ServiceId)).ToDictionary(g => g.Key, g => g.OrderByDescending(s => s.CreatedAt).First());
        var planIds = subscriptions.Values.Select(s => s.PlanId).Distinct().ToList();
        var charges = await db.PlanUsageCharges.AsNoTracking().Where(c => planIds.Contains(c.PlanId)).ToDictionaryAsync(c => (c.PlanId, c.MeterId), ct);

        var rows = new List<(int Index, UsageEvent Row)>();
        var seen = new Dictionary<(string, string), int>();
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            UsageEventOutcome Reject(string code, string reason) => new(i, e.EventId, Rejected, code, reason);
            if (e.ShapeError is not null)
            {
                outcomes[i] = Reject("malformed", e.ShapeError);
                continue;
            }

            if (string.IsNullOrEmpty(e.EventId) || e.EventId.Length > UsageEvent.MaxEventIdLength || e.EventId.Any(char.IsControl))
            {
                outcomes[i] = Reject("bad_event_id", $"event_id must be 1-{UsageEvent.MaxEventIdLength} characters without control characters.");
                continue;
            }

            var tenantId = string.IsNullOrEmpty(e.TenantId) ? actor.TenantId : e.TenantId;
            if (tenantId is null || !tenants.TryGetValue(tenantId, out var partnerId) || !MayReportFor(actor, tenantId, partnerId))
            {
                outcomes[i] = Reject("not_your_tenant", tenantId is null ? "tenant_id is required for a caller that is not a tenant." : "tenant_id is not a tenant you may report usage for.");
                continue;
            }

            var candidates = meters.Where(m => m.Meter.Code == e.Meter || m.Slug + "." + m.Meter.Code == e.Meter).ToList();
            if (candidates.Count != 1)
            {
                outcomes[i] = Reject(candidates.Count == 0 ? "unknown_meter" : "ambiguous_meter", candidates.Count == 0
                    ? $"meter '{e.Meter}' is not an active meter."
                    : $"meter '{e.Meter}' exists in several services: name it as service.meter ({string.Join(", ", candidates.Select(c => c.Slug + "." + c.Meter.Code))}).");
                continue;
            }

            var meter = candidates[0].Meter;
            var quantity = UsageQuantity.TryParse(e.Quantity, out var quantityError);
            if (quantity is null)
            {
                outcomes[i] = Reject("bad_quantity", quantityError!);
                continue;
            }

            if (!TryParseInstant(e.Timestamp, out var occurredAt))
            {
                outcomes[i] = Reject("bad_timestamp", "timestamp must be an RFC 3339 date-time with an offset, e.g. 2026-12-01T09:30:00Z.");
                continue;
            }

            if (occurredAt > now + options.FutureSkew)
            {
                outcomes[i] = Reject("timestamp_in_future", $"timestamp lies more than {options.FutureSkew.TotalMinutes:0} minutes ahead of the server clock.");
                continue;
            }

            if (occurredAt < now - options.LateWindow)
            {
                outcomes[i] = Reject("timestamp_too_old", $"timestamp is older than the correction window ({options.LateWindow.TotalDays:0} days).");
                continue;
            }

            if (!TryReadProperties(e.Properties, out var propertiesJson, out var scalars, out var propertiesError))
            {
                outcomes[i] = Reject("bad_properties", propertiesError!);
                continue;
            }

            if (!Meter.Matches(scalars, meterFilters[meter.Id]))
            {
                outcomes[i] = Reject("filter_mismatch", $"properties do not match the filters of meter '{meter.Code}' ({meter.FiltersJson}).");
                continue;
            }

            string? uniqueValue = null;
            if (meter.Aggregation == MeterAggregation.UniqueCount && (!scalars.TryGetValue(meter.UniqueProperty!, out uniqueValue) || uniqueValue.Length > Meter.MaxPropertyLength))
            {
                outcomes[i] = Reject("bad_properties", $"meter '{meter.Code}' counts distinct values of the property '{meter.UniqueProperty}', which the event lacks.");
                continue;
            }

            if (!subscriptions.TryGetValue((tenantId, meter.ServiceId), out var subscription))
            {
                outcomes[i] = Reject("no_subscription", $"the tenant has no live subscription to the service of meter '{meter.Code}'.");
                continue;
            }

            if (seen.TryGetValue((tenantId, e.EventId), out _))
            {
                outcomes[i] = new UsageEventOutcome(i, e.EventId, Duplicate);
                continue;
            }

            seen[(tenantId, e.EventId)] = i;
            var unitCost = charges.TryGetValue((subscription.PlanId, meter.Id), out var c) ? c.UnitCostMicroMinor : null;
            rows.Add((i, new UsageEvent(partnerId, tenantId, source, e.EventId, meter.Id, subscription.Id, occurredAt, quantity.Value, propertiesJson, uniqueValue, unitCost, now)));
        }

        // Hard quotas with rejection: an event that would take the current period's usage above the limit is refused.
        var periods = subscriptions.Values.ToDictionary(s => s.Id, s => (s.TenantId, s.PlanId, s.CurrentPeriodStart, s.CurrentPeriodEnd));
        var meterById = meters.ToDictionary(m => m.Meter.Id, m => m.Meter);
        bool InPeriod(UsageEvent r) => periods[r.SubscriptionId] is var p && r.OccurredAt >= UsageRollup.BucketOf(p.CurrentPeriodStart, RollupGrain.Hour) && r.OccurredAt < p.CurrentPeriodEnd;
        PlanUsageCharge? ChargeOf(UsageEvent r) => charges.TryGetValue((periods[r.SubscriptionId].PlanId, r.MeterId), out var ch) ? ch : null;
        var enforced = rows.Where(r => ChargeOf(r.Row) is { RejectOverHardLimit: true, HardLimitUnits: not null } && meterById[r.Row.MeterId].Aggregation != MeterAggregation.UniqueCount && InPeriod(r.Row)).ToList();
        if (enforced.Count > 0)
        {
            var ids = enforced.Select(r => r.Row.EventId).Distinct().ToList();
            var enforcedTenants = enforced.Select(r => r.Row.TenantId).Distinct().ToList();
            var stored = (await db.UsageEvents.IgnoreQueryFilters().Where(x => enforcedTenants.Contains(x.TenantId) && x.Source == source && ids.Contains(x.EventId))
                .Select(x => new { x.TenantId, x.EventId }).ToListAsync(ct)).Select(x => (x.TenantId, x.EventId)).ToHashSet();
            var refused = new HashSet<int>();
            foreach (var group in enforced.Where(r => !stored.Contains((r.Row.TenantId, r.Row.EventId))).GroupBy(r => (r.Row.SubscriptionId, r.Row.MeterId)))
            {
                var meter = meterById[group.Key.MeterId];
                var p = periods[group.Key.SubscriptionId];
                var hard = ChargeOf(group.First().Row)!.HardLimitUnits!.Value * UsageQuantity.PerUnit;
                var running = (await UsageQueryService.UsedAsync(db, p.TenantId, group.Key.SubscriptionId, meter, p.CurrentPeriodStart, p.CurrentPeriodEnd, ct)).Micro;
                foreach (var (index, row) in group.OrderBy(r => r.Index))
                {
                    var next = meter.Aggregation switch
                    {
                        MeterAggregation.Count => running + UsageQuantity.PerUnit,
                        MeterAggregation.Max => Math.Max(running, row.QuantityMicro),
                        MeterAggregation.Latest => row.QuantityMicro,
                        _ => running + row.QuantityMicro,
                    };
                    if (next > hard)
                    {
                        refused.Add(index);
                        outcomes[index] = new UsageEventOutcome(index, row.EventId, Rejected, "quota_exceeded",
                            $"the event would take this period's usage of meter '{meter.Code}' above the hard quota of {hard / UsageQuantity.PerUnit} {meter.Unit}.");
                    }
                    else
                    {
                        running = next;
                    }
                }
            }

            rows.RemoveAll(r => refused.Contains(r.Index));
        }

        if (rows.Count > 0)
        {
            // Sorted by key: concurrent batches take row locks in the same order.
            var ordered = rows.Select(r => r.Row).OrderBy(r => r.TenantId, StringComparer.Ordinal).ThenBy(r => r.EventId, StringComparer.Ordinal).ToList();
            var inserted = await RetriableUnits.RunAsync(db, "usage-ingest", async (_, token) =>
            {
                await using var tx = await db.Database.BeginTransactionAsync(token);
                var stored = await _sql.InsertEventsAsync(db, ordered, token);
                var fresh = ordered.Where(r => stored.Contains((r.TenantId, r.EventId))).ToList();
                await AddToRollupsAsync(db, fresh, meterById, token);
                await NoteSoftQuotasAsync(db, fresh.Where(InPeriod).ToList(), meterById, r => ChargeOf(r), r => periods[r.SubscriptionId], now, token);
                await tx.CommitAsync(token);
                return stored;
            }, ct);
            foreach (var (index, row) in rows)
            {
                outcomes[index] = new UsageEventOutcome(index, row.EventId, inserted.Contains((row.TenantId, row.EventId)) ? Accepted : Duplicate);
            }
        }

        var results = outcomes.Select(o => o!).ToList();
        return new UsageBatchResult(results.Count(r => r.Status == Accepted), results.Count(r => r.Status == Duplicate), results.Count(r => r.Status == Rejected), results);
    }

    /// <summary>
    /// Adds newly stored events to the hour and day roll-ups (and unique values), in the caller's transaction. Also
    /// used by the roll-up rebuild.
    /// </summary>
    internal async Task AddToRollupsAsync(ScaiDbContext db, IReadOnlyList<UsageEvent> fresh, IReadOnlyDictionary<string, Meter> meters, CancellationToken ct)
    {
        if (fresh.Count == 0)
        {
            return;
        }

        var uniqueRows = fresh.Where(r => r.UniqueValue is not null)
            .Select(r => (r.PartnerId, r.TenantId, r.SubscriptionId, r.MeterId, Day: UsageRollup.BucketOf(r.OccurredAt, RollupGrain.Day), Value: r.UniqueValue!))
            .Distinct().OrderBy(r => r.TenantId, StringComparer.Ordinal).ThenBy(r => r.Value, StringComparer.Ordinal).ToList();
        var newValues = uniqueRows.Count == 0 ? [] : await _sql.InsertUniqueValuesAsync(db, uniqueRows, ct);

        // A new value counts once: in the day, and in the hour of its earliest event of the batch.
        var firstHourOfValue = fresh.Where(r => r.UniqueValue is not null)
            .GroupBy(r => (r.TenantId, r.SubscriptionId, r.MeterId, Day: UsageRollup.BucketOf(r.OccurredAt, RollupGrain.Day), Value: r.UniqueValue!))
            .Where(g => newValues.Contains(g.Key))
            .ToDictionary(g => g.Key, g => UsageRollup.BucketOf(g.Min(r => r.OccurredAt), RollupGrain.Hour));

        var deltas = new List<RollupDelta>();
        foreach (var grain in new[] { RollupGrain.Hour, RollupGrain.Day })
        {
            foreach (var g in fresh.GroupBy(r => (r.PartnerId, r.TenantId, r.SubscriptionId, r.MeterId, Bucket: UsageRollup.BucketOf(r.OccurredAt, grain))))
            {
                var latest = g.OrderBy(r => r.OccurredAt).Last();
                var unique = firstHourOfValue.Count(v => v.Key.TenantId == g.Key.TenantId && v.Key.SubscriptionId == g.Key.SubscriptionId && v.Key.MeterId == g.Key.MeterId
                    && (grain == RollupGrain.Day ? v.Key.Day == g.Key.Bucket : v.Value == g.Key.Bucket));
                deltas.Add(new RollupDelta(g.Key.PartnerId, g.Key.TenantId, g.Key.SubscriptionId, g.Key.MeterId, grain, g.Key.Bucket,
                    g.Sum(r => r.QuantityMicro), g.Count(), g.Max(r => r.QuantityMicro), latest.QuantityMicro, latest.OccurredAt, unique));
            }
        }

        await _sql.UpsertRollupsAsync(db, deltas.OrderBy(d => d.Tenant, StringComparer.Ordinal).ThenBy(d => d.Subscription, StringComparer.Ordinal)
            .ThenBy(d => d.Meter, StringComparer.Ordinal).ThenBy(d => d.Grain).ThenBy(d => d.BucketStart).ToList(), ct);
    }

    /// <summary>
    /// For each (subscription, meter) of <paramref name="fresh"/> (events just stored in the current period) whose plan
    /// has a soft quota now reached: writes the period's notice (insert-ignore on its key) and, only when this call
    /// wrote it, usage.quota_reached.v1 to the outbox — once per period, also under concurrent batches. In the caller's transaction.
    /// </summary>
    private async Task NoteSoftQuotasAsync(ScaiDbContext db, List<UsageEvent> fresh, Dictionary<string, Meter> meters,
        Func<UsageEvent, PlanUsageCharge?> chargeOf, Func<UsageEvent, (string TenantId, string PlanId, DateTimeOffset Start, DateTimeOffset End)> periodOf, DateTimeOffset now, CancellationToken ct)
    {
        var added = false;
        foreach (var first in fresh.Where(r => chargeOf(r)?.SoftLimitUnits is not null).GroupBy(r => (r.SubscriptionId, r.MeterId)).Select(g => g.First())
            .OrderBy(r => r.SubscriptionId, StringComparer.Ordinal).ThenBy(r => r.MeterId, StringComparer.Ordinal))
        {
            var charge = chargeOf(first)!;
            var meter = meters[first.MeterId];
            var period = periodOf(first);
            var used = await UsageQueryService.UsedAsync(db, first.TenantId, first.SubscriptionId, meter, period.Start, period.End, ct);
            if (used.Micro < charge.SoftLimitUnits!.Value * UsageQuantity.PerUnit
                || !await _sql.InsertQuotaNoticeAsync(db, first.PartnerId, first.TenantId, first.SubscriptionId, meter.Id, period.Start, now, ct))
            {
                continue;
            }

            var payload = new Dictionary<string, object?>
            {
                ["subscription_id"] = first.SubscriptionId,
                ["tenant_id"] = first.TenantId,
                ["partner_id"] = first.PartnerId,
                ["meter_id"] = meter.Id,
                ["meter"] = meter.Code,
                ["unit"] = meter.Unit,
                ["quota"] = "soft",
                ["limit"] = charge.SoftLimitUnits,
                ["hard_limit"] = charge.HardLimitUnits,
                ["used"] = used.ToString(),
                ["period_start"] = period.Start,
                ["period_end"] = period.End,
                ["reached_at"] = now,
            };
            var e = new Domain.Common.DomainEvent(Domain.Events.EventTopics.UsageQuotaReached, first.PartnerId, first.TenantId, first.SubscriptionId, now, payload);
            db.OutboxEvents.Add(new Domain.Events.OutboxEvent(e, JsonSerializer.Serialize(e.Payload, Persistence.Interceptors.AuditAndOutboxInterceptor.Json)));
            added = true;
        }

        if (added)
        {
            await db.SaveChangesAsync(ct);
        }
    }

    private static bool MayReportFor(Actor actor, string tenantId, string partnerId) =>
        actor.TenantId is not null ? actor.TenantId == tenantId
        : actor.IsSuperAdmin || (actor.PartnerId is not null && actor.PartnerId == partnerId);

    /// <summary>RFC 3339 date-time with a "Z" or ±hh:mm offset (no local times), any fraction of a second.</summary>
    public static bool TryParseInstant(string? text, out DateTimeOffset value)
    {
        value = default;
        return text is not null && Rfc3339().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out value);
    }

    private static bool TryReadProperties(JsonElement? properties, out string json, out Dictionary<string, string> scalars, out string? error)
    {
        json = "{}";
        scalars = new Dictionary<string, string>(StringComparer.Ordinal);
        error = null;
        if (properties is not { } p || p.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (p.ValueKind != JsonValueKind.Object)
        {
            error = "properties must be a JSON object.";
            return false;
        }

        json = p.GetRawText();
        if (json.Length > UsageEvent.MaxPropertiesLength)
        {
            error = $"properties exceed {UsageEvent.MaxPropertiesLength} characters.";
            return false;
        }

        foreach (var prop in p.EnumerateObject())
        {
            var text = prop.Value.ValueKind switch
            {
                JsonValueKind.String => prop.Value.GetString(),
                JsonValueKind.Number => prop.Value.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => null,
            };
            if (text is not null)
            {
                scalars[prop.Name] = text;
            }
        }

        return true;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex Rfc3339();
}

/// <summary>A batch with more events than allowed (HTTP 413).</summary>
public sealed class BatchTooLargeException(int max) : Exception($"A batch holds at most {max} events.")
{
    /// <summary>The limit.</summary>
    public int Max { get; } = max;
}

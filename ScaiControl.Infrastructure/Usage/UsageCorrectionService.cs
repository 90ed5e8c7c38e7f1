using System.Globalization;
using Microsoft.EntityFrameworkCore;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Domain.Usage;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Infrastructure.Usage;

/// <summary>A correction as the caller sent it: action amend | void, quantity (decimal text) for amend.</summary>
public sealed record UsageCorrectionInput(string? EventId, string? TenantId, string? Source, string? Action, string? Quantity, string? Reason);

/// <summary>
/// The stored correction: the event's quantity before and after (decimal text), where it is settled
/// (<see cref="UsageCorrection.SettledInPeriod"/> or <see cref="UsageCorrection.SettledOnNextInvoice"/>) and, for the
/// latter, the pending charge (positive) or credit (negative) in minor units.
/// </summary>
public sealed record UsageCorrectionResult(string Id, string EventId, string Source, string TenantId, string SubscriptionId, string MeterId, string Action,
    string PreviousQuantity, string Quantity, string Settlement, string? ChargeId, long? ChargeAmount, string? Currency, DateTimeOffset CreatedAt);

/// <summary>
/// Corrections of stored usage events (issue 15): amend (a new quantity) or void, by (tenant, source, event_id). The
/// event row never changes; the correction is a row of its own and the hour and day roll-ups are adjusted in the same
/// transaction (sum and count by the difference; max and latest meters recompute the hour from its events and their
/// latest corrections, and the day from its hours). unique_count meters cannot be corrected.
/// <para>Settlement: while the period's usage is not invoiced, or until Usage:CorrectionGrace after its invoice was
/// finalised, the correction belongs to the period (its invoice, or the adjustment the next invoice makes when it
/// prices the closed period again). After that it turns into a pending charge or credit (the re-priced difference)
/// on the next invoice, and the closed period records the new amount so nothing is billed twice.</para>
/// <para>Who: the caller that reported the event (its dedup source) for its own tenants (a tenant's token or key
/// for its own tenant; a partner or service key for its partner's tenants); the operator for any source. An event
/// the caller cannot see is 404.</para>
/// </summary>
public sealed class UsageCorrectionService(ScaiDbFactory factory, UsageIngestionService ingestion, TimeProvider clock, UsageOptions options)
{
    /// <summary>Stores and applies one correction.</summary>
    /// <exception cref="DomainValidationException">Missing event_id, an unknown action, a bad quantity (fields as sent).</exception>
    /// <exception cref="NotFoundException">No such event visible to the caller.</exception>
    /// <exception cref="DomainConflictException">The event is voided already, or its meter counts unique values.</exception>
    public async Task<UsageCorrectionResult> CorrectAsync(Actor actor, UsageCorrectionInput input, CancellationToken ct)
    {
        if (!actor.Can(Permissions.UsageWrite))
        {
            throw new UnauthorizedAccessException($"The permission '{Permissions.UsageWrite}' is required.");
        }

        if (string.IsNullOrWhiteSpace(input.EventId) || input.EventId.Length > UsageEvent.MaxEventIdLength)
        {
            throw new DomainValidationException("event_id", $"event_id is required (at most {UsageEvent.MaxEventIdLength} characters).");
        }

        var action = input.Action switch
        {
            "amend" => UsageCorrectionAction.Amend,
            "void" => UsageCorrectionAction.Void,
            _ => throw new DomainValidationException("action", "action must be amend or void."),
        };
        long newQuantity = 0;
        if (action == UsageCorrectionAction.Amend)
        {
            newQuantity = (UsageQuantity.TryParse(input.Quantity, out var error)
                ?? throw new DomainValidationException("quantity", error ?? "quantity must be a decimal number with up to 6 decimals.")).Micro;
        }
        else if (input.Quantity is not null)
        {
            throw new DomainValidationException("quantity", "A void takes no quantity.");
        }

        if (input.Reason is { Length: > UsageCorrection.MaxReasonLength })
        {
            throw new DomainValidationException("reason", $"reason is at most {UsageCorrection.MaxReasonLength} characters.");
        }

        var own = await ingestion.SourceOfAsync(actor, ct);
        var source = actor.IsSuperAdmin ? input.Source ?? own : own;
        if (!actor.IsSuperAdmin && input.Source is not null && input.Source != own)
        {
            throw new NotFoundException("usage_event", input.EventId);
        }

        var tenantId = actor.TenantId ?? input.TenantId ?? throw new DomainValidationException("tenant_id", "tenant_id is required for a caller that is not a tenant.");
        await using var db = await factory.OpenAsync(actor, "correct usage event", ct);
        return await RetriableUnits.RunAsync(db, "usage-correct", (_, token) => ApplyAsync(db, actor, tenantId, source, input.EventId, action, newQuantity, input.Reason, token), ct);
    }

    private async Task<UsageCorrectionResult> ApplyAsync(ScaiDbContext db, Actor actor, string tenantId, string source, string eventId, UsageCorrectionAction action,
        long newQuantity, string? reason, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var ev = await db.UsageEvents.AsNoTracking().SingleOrDefaultAsync(e => e.TenantId == tenantId && e.Source == source && e.EventId == eventId, ct)
            ?? throw new NotFoundException("usage_event", eventId);
        var meter = await db.Meters.AsNoTracking().SingleAsync(m => m.Id == ev.MeterId, ct);
        if (meter.Aggregation == MeterAggregation.UniqueCount)
        {
            throw new DomainConflictException($"Meter '{meter.Code}' counts distinct values; its events cannot be amended or voided.", "unique_count", []);
        }

        var latest = await db.UsageCorrections.AsNoTracking().Where(c => c.TenantId == tenantId && c.Source == source && c.EventId == eventId)
            .OrderByDescending(c => c.Id).FirstOrDefaultAsync(ct);
        if (latest?.Action == UsageCorrectionAction.Void)
        {
            throw new DomainConflictException($"Event {eventId} is voided already.", "voided", []);
        }

        var previous = latest?.QuantityMicro ?? ev.QuantityMicro;
        var now = clock.GetUtcNow();
        var subscription = await db.Subscriptions.AsNoTracking().SingleAsync(s => s.Id == ev.SubscriptionId, ct);
        var close = await db.UsagePeriodCloses.Where(c => c.SubscriptionId == ev.SubscriptionId && c.PeriodStart <= ev.OccurredAt && c.PeriodEnd > ev.OccurredAt)
            .OrderByDescending(c => c.PeriodStart).FirstOrDefaultAsync(ct);
        var finalisedAt = close is null ? null : await db.Invoices.AsNoTracking().Where(i => i.Id == close.InvoiceId).Select(i => i.FinalisedAt).SingleOrDefaultAsync(ct);
        var pastGrace = close is not null && finalisedAt is { } f && now > f + options.CorrectionGrace;

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await AdjustRollupsAsync(db, ev, meter, previous, action == UsageCorrectionAction.Void ? 0 : newQuantity, action == UsageCorrectionAction.Void ? -1 : 0, ct);
        SubscriptionCharge? charge = null;
        if (pastGrace)
        {
            // The period is settled: the re-priced difference becomes a pending charge or credit; the close records the new amount.
            var meters = await db.Meters.AsNoTracking().Where(m => m.ServiceId == subscription.ServiceId).OrderBy(m => m.Code).ToListAsync(ct);
            var charges = await db.PlanUsageCharges.AsNoTracking().Where(c => c.PlanId == subscription.PlanId).ToDictionaryAsync(c => c.MeterId, ct);
            var before = close!.Meters.ToDictionary(m => m.MeterId);
            var (rows, _) = await UsageBilling.RepriceAsync(db, subscription, close, meters, charges, ct);
            var row = rows.Single(r => r.MeterId == meter.Id);
            var old = before.GetValueOrDefault(meter.Id);
            var delta = row.AmountMinor - (old?.AmountMinor ?? 0);
            if (delta != 0)
            {
                var tracked = await db.Subscriptions.SingleAsync(s => s.Id == subscription.Id, ct);
                charge = new SubscriptionCharge(tracked, SubscriptionChargeKind.UsageCorrection,
                    string.Create(CultureInfo.InvariantCulture, $"Usage correction {meter.Name}, {close.PeriodStart:yyyy-MM-dd} – {close.PeriodEnd:yyyy-MM-dd}: {new UsageQuantity(old?.QuantityMicro ?? 0)} → {new UsageQuantity(row.QuantityMicro)} {meter.Unit}"),
                    delta, close.Currency, close.PeriodStart, close.PeriodEnd, null, now);
                db.SubscriptionCharges.Add(charge);
            }

            // Only this meter is settled here; the others keep what was billed (a later re-pricing bills their changes).
            close.Reprice(close.Meters.Select(m => m.MeterId == meter.Id ? row : m).ToList(), adjusted: false, now);
        }

        var correction = new UsageCorrection(ev.PartnerId, ev.TenantId, ev.Source, ev.EventId, ev.SubscriptionId, ev.MeterId, ev.OccurredAt, action, previous, newQuantity, reason,
            pastGrace ? UsageCorrection.SettledOnNextInvoice : UsageCorrection.SettledInPeriod, charge?.Id, actor.UserId, now);
        db.UsageCorrections.Add(correction);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new UsageCorrectionResult(correction.Id, ev.EventId, ev.Source, ev.TenantId, ev.SubscriptionId, ev.MeterId, action == UsageCorrectionAction.Void ? "void" : "amend",
            new UsageQuantity(previous).ToString(), new UsageQuantity(correction.QuantityMicro).ToString(), correction.Settlement, charge?.Id, charge?.AmountMinor, charge?.Currency, now);
    }

    /// <summary>
    /// Applies an event's change from <paramref name="from"/> to <paramref name="to"/> (millionths) and
    /// <paramref name="countDelta"/> events to its hour and day roll-ups, in the caller's transaction. Max and latest
    /// meters: the hour's max and latest are recomputed from its events with their latest corrections (the correction
    /// being stored counts as <paramref name="to"/>), the day's from its hour rows.
    /// </summary>
    internal static async Task AdjustRollupsAsync(ScaiDbContext db, UsageEvent ev, Meter meter, long from, long to, int countDelta, CancellationToken ct)
    {
        var delta = to - from;
        var hour = UsageRollup.BucketOf(ev.OccurredAt, RollupGrain.Hour);
        var day = UsageRollup.BucketOf(ev.OccurredAt, RollupGrain.Day);
        await db.UsageRollups.Where(r => r.TenantId == ev.TenantId && r.SubscriptionId == ev.SubscriptionId && r.MeterId == ev.MeterId
                && ((r.Grain == RollupGrain.Hour && r.BucketStart == hour) || (r.Grain == RollupGrain.Day && r.BucketStart == day)))
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.QuantityMicro, r => r.QuantityMicro + delta).SetProperty(r => r.EventCount, r => r.EventCount + countDelta), ct);
        if (meter.Aggregation is not (MeterAggregation.Max or MeterAggregation.Latest))
        {
            return;
        }

        // The hour row is locked by the update above: an ingestion into this hour waits, then adds on top.
        var next = hour.AddHours(1);
        var events = await db.UsageEvents.AsNoTracking()
            .Where(e => e.TenantId == ev.TenantId && e.SubscriptionId == ev.SubscriptionId && e.MeterId == ev.MeterId && e.OccurredAt >= hour && e.OccurredAt < next)
            .Select(e => new { e.Source, e.EventId, e.OccurredAt, e.QuantityMicro }).ToListAsync(ct);
        var corrections = (await db.UsageCorrections.AsNoTracking()
                .Where(c => c.TenantId == ev.TenantId && c.SubscriptionId == ev.SubscriptionId && c.MeterId == ev.MeterId && c.OccurredAt >= hour && c.OccurredAt < next)
                .Select(c => new { c.Id, c.Source, c.EventId, c.Action, c.QuantityMicro }).ToListAsync(ct))
            .GroupBy(c => (c.Source, c.EventId)).ToDictionary(g => g.Key, g => g.OrderBy(c => c.Id, StringComparer.Ordinal).Last());
        var effective = events.Select(e =>
            {
                if (e.Source == ev.Source && e.EventId == ev.EventId)
                {
                    return (e.OccurredAt, Quantity: countDelta < 0 ? (long?)null : to);
                }

                return corrections.TryGetValue((e.Source, e.EventId), out var c)
                    ? (e.OccurredAt, Quantity: c.Action == UsageCorrectionAction.Void ? null : c.QuantityMicro)
                    : (e.OccurredAt, Quantity: (long?)e.QuantityMicro);
            })
            .Where(e => e.Quantity is not null).ToList();
        var max = effective.Count == 0 ? 0 : effective.Max(e => e.Quantity!.Value);
        var last = effective.OrderBy(e => e.OccurredAt).LastOrDefault();
        await db.UsageRollups.Where(r => r.TenantId == ev.TenantId && r.SubscriptionId == ev.SubscriptionId && r.MeterId == ev.MeterId && r.Grain == RollupGrain.Hour && r.BucketStart == hour)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.MaxMicro, max).SetProperty(r => r.LatestMicro, last.Quantity ?? 0).SetProperty(r => r.LatestAt, last.Quantity == null ? DateTimeOffset.UnixEpoch : last.OccurredAt), ct);

        var hours = await db.UsageRollups.AsNoTracking()
            .Where(r => r.TenantId == ev.TenantId && r.SubscriptionId == ev.SubscriptionId && r.MeterId == ev.MeterId && r.Grain == RollupGrain.Hour && r.BucketStart >= day && r.BucketStart < day.AddDays(1))
            .ToListAsync(ct);
        var counted = hours.Where(h => h.EventCount > 0).ToList();
        var dayMax = counted.Count == 0 ? 0 : counted.Max(h => h.MaxMicro);
        var dayLast = counted.OrderBy(h => h.LatestAt).LastOrDefault();
        await db.UsageRollups.Where(r => r.TenantId == ev.TenantId && r.SubscriptionId == ev.SubscriptionId && r.MeterId == ev.MeterId && r.Grain == RollupGrain.Day && r.BucketStart == day)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.MaxMicro, dayMax).SetProperty(r => r.LatestMicro, dayLast == null ? 0 : dayLast.LatestMicro)
                .SetProperty(r => r.LatestAt, dayLast == null ? DateTimeOffset.UnixEpoch : dayLast.LatestAt), ct);
    }
}

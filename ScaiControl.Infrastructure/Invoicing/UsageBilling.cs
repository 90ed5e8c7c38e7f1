using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Events;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Domain.Usage;
using ScaiControl.Domain.Vat;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Usage;

namespace ScaiControl.Infrastructure.Invoicing;

/// <summary>
/// Usage on invoices (issue 15, issue 12 "usage and pending charges for the period that ended go on the same
/// invoice"): usage is billed in arrears. When the billing run makes a tenant's invoice, every subscription period
/// that has ENDED by the run's cutoff (a period whose fixed price is on an invoice, this one included) and whose usage
/// is not billed yet gets one line per plan usage charge: 1 × the charge's amount, the description carrying the
/// quantity, the included units and the tier breakdown; VAT per line like every other line. Quantities come from the
/// hour roll-ups (never raw events; cost-plus charges group the period's events by the unit cost recorded at
/// ingestion). The period is then closed (<see cref="UsagePeriodClose"/>, keyed (subscription, period start), in the
/// invoice's transaction: billed once, also with two nodes) and usage.period_closed.v1 goes to the outbox.
/// <para>Closed periods of the last <see cref="RepriceWindow"/> are priced again from the roll-ups (late events,
/// corrections within the grace); a difference becomes a pending charge or credit (kind UsageCorrection) that the
/// caller bills with the other pending charges, so the credit rule (never below zero) holds.</para>
/// <para>Rounding: <see cref="UsageCalculator"/> (each part rounded once, half away from zero, to a minor unit; the
/// line is the sum of its parts).</para>
/// </summary>
public static class UsageBilling
{
    /// <summary>How far back closed periods are priced again: covers Usage:LateWindow (35 days) plus Usage:CorrectionGrace (up to 55 days).</summary>
    public static readonly TimeSpan RepriceWindow = TimeSpan.FromDays(90);

    /// <summary>
    /// Adds the usage lines of the ended periods of <paramref name="subscriptions"/> (the tenant's billable
    /// subscriptions in the invoice's currency) to <paramref name="invoice"/>, closes those periods, and returns the
    /// adjustments of periods closed before (pending charges, already added to <paramref name="db"/>) for the caller
    /// to bill with the other pending charges. Saves nothing: the caller's SaveChanges commits it with the invoice.
    /// </summary>
    public static async Task<List<SubscriptionCharge>> AddLinesAsync(ScaiDbContext db, Invoice invoice, IReadOnlyList<Subscription> subscriptions, DateTimeOffset cutoff,
        VatDecision vat, DateTimeOffset now, CancellationToken ct)
    {
        var adjustments = new List<SubscriptionCharge>();
        if (subscriptions.Count == 0)
        {
            return adjustments;
        }

        var serviceIds = subscriptions.Select(s => s.ServiceId).Distinct().ToList();
        var meters = await db.Meters.AsNoTracking().Where(m => serviceIds.Contains(m.ServiceId)).ToListAsync(ct);
        if (meters.Count == 0)
        {
            return adjustments;
        }

        var planIds = subscriptions.Select(s => s.PlanId).Distinct().ToList();
        var charges = await db.PlanUsageCharges.AsNoTracking().Where(c => planIds.Contains(c.PlanId)).ToListAsync(ct);
        var services = await db.Services.AsNoTracking().Where(s => serviceIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.Name, ct);
        var floor = meters.Min(m => m.CreatedAt);
        var metered = subscriptions.Where(s => meters.Any(m => m.ServiceId == s.ServiceId)).ToList();
        var ids = metered.Select(s => s.Id).ToList();

        // The periods whose fixed price is invoiced (stored lines and this invoice's) and that have ended.
        var stored = await db.InvoiceLines.AsNoTracking()
            .Where(l => l.SubscriptionId != null && ids.Contains(l.SubscriptionId) && l.PeriodEnd != null && l.PeriodEnd <= cutoff && l.PeriodEnd > floor && l.CreditedLineId == null)
            .Select(l => new { l.SubscriptionId, l.PeriodStart, l.PeriodEnd, l.BillingKey }).ToListAsync(ct);
        var periods = stored.Select(l => (Sub: l.SubscriptionId!, Start: l.PeriodStart!.Value, End: l.PeriodEnd!.Value, l.BillingKey))
            .Concat(invoice.Lines.Where(l => l.SubscriptionId != null && ids.Contains(l.SubscriptionId) && l.PeriodEnd <= cutoff && l.PeriodEnd > floor)
                .Select(l => (Sub: l.SubscriptionId!, Start: l.PeriodStart!.Value, End: l.PeriodEnd!.Value, l.BillingKey)))
            .Where(p => p.BillingKey == $"{p.Sub}@{p.Start.UtcTicks}")
            .Select(p => (p.Sub, p.Start, p.End)).Distinct().ToList();
        var repriceFrom = now - RepriceWindow;
        var closes = await db.UsagePeriodCloses.Where(c => ids.Contains(c.SubscriptionId) && c.PeriodEnd > floor).ToListAsync(ct);
        var closed = closes.Select(c => (c.SubscriptionId, c.PeriodStart)).ToHashSet();

        foreach (var subscription in metered.OrderBy(s => s.Id, StringComparer.Ordinal))
        {
            var serviceMeters = meters.Where(m => m.ServiceId == subscription.ServiceId).OrderBy(m => m.Code, StringComparer.Ordinal).ToList();
            var planCharges = charges.Where(c => c.PlanId == subscription.PlanId).ToDictionary(c => c.MeterId);

            // Periods closed before: priced again, the difference billed as an adjustment.
            foreach (var close in closes.Where(c => c.SubscriptionId == subscription.Id && c.PeriodEnd > repriceFrom && c.InvoiceId != invoice.Id).OrderBy(c => c.PeriodStart))
            {
                var (meterRows, changed) = await RepriceAsync(db, subscription, close, serviceMeters, planCharges, ct);
                if (!changed)
                {
                    continue;
                }

                var before = close.Meters.ToDictionary(m => m.MeterId);
                foreach (var row in meterRows.Where(r => r.ChargeId is not null && r.AmountMinor != (before.TryGetValue(r.MeterId, out var b) ? b.AmountMinor : 0)))
                {
                    var old = before.TryGetValue(row.MeterId, out var b) ? b : row with { QuantityMicro = 0, AmountMinor = 0 };
                    var charge = new SubscriptionCharge(subscription, SubscriptionChargeKind.UsageCorrection,
                        string.Create(CultureInfo.InvariantCulture, $"Usage adjustment {services[subscription.ServiceId]} – {row.Meter}, {close.PeriodStart:yyyy-MM-dd} – {close.PeriodEnd:yyyy-MM-dd}: {new UsageQuantity(old.QuantityMicro)} → {new UsageQuantity(row.QuantityMicro)} {row.Unit}"),
                        row.AmountMinor - old.AmountMinor, invoice.Currency, close.PeriodStart, close.PeriodEnd, null, now);
                    db.SubscriptionCharges.Add(charge);
                    adjustments.Add(charge);
                }

                close.Reprice(meterRows, adjusted: true, now);
            }

            // Periods that ended and are not closed: their usage lines, the close and usage.period_closed.v1.
            foreach (var (_, start, end) in periods.Where(p => p.Sub == subscription.Id && !closed.Contains((p.Sub, p.Start))).OrderBy(p => p.Start))
            {
                var rows = new List<ClosedMeter>();
                var position = 0;
                foreach (var meter in serviceMeters)
                {
                    var (quantity, events) = await QuantityAsync(db, subscription, meter, start, end, ct);
                    if (!planCharges.TryGetValue(meter.Id, out var charge))
                    {
                        rows.Add(new ClosedMeter(meter.Id, meter.Code, meter.Unit, quantity.Micro, events, null, 0));
                        continue;
                    }

                    var price = await PriceAsync(db, subscription, meter, charge, quantity, start, end, ct);
                    invoice.AddUsageLine(Describe(services[subscription.ServiceId], meter, charge, price, invoice.Currency), new Money(price.AmountMinor, invoice.Currency), vat,
                        subscription.Id, start, end, string.Create(CultureInfo.InvariantCulture, $"u:{subscription.Id}@{start.UtcTicks}:{position++}"));
                    rows.Add(new ClosedMeter(meter.Id, meter.Code, meter.Unit, quantity.Micro, events, charge.Id, price.AmountMinor));
                }

                var close = new UsagePeriodClose(subscription.PartnerId, subscription.TenantId, subscription.Id, start, end, invoice.Currency, invoice.Id, rows, now);
                db.UsagePeriodCloses.Add(close);
                closed.Add((subscription.Id, start));
                db.OutboxEvents.Add(PeriodClosedEvent(close, rows, invoice.Id, now));
            }
        }

        return adjustments;
    }

    /// <summary>
    /// Prices a closed period again from the roll-ups: the meters with their current quantity and amount, and whether
    /// any quantity or amount differs from what the close recorded.
    /// </summary>
    internal static async Task<(List<ClosedMeter> Meters, bool Changed)> RepriceAsync(ScaiDbContext db, Subscription subscription, UsagePeriodClose close, IReadOnlyList<Meter> meters,
        IReadOnlyDictionary<string, PlanUsageCharge> charges, CancellationToken ct)
    {
        var before = close.Meters.ToDictionary(m => m.MeterId);
        var rows = new List<ClosedMeter>();
        var changed = false;
        foreach (var meter in meters)
        {
            var (quantity, events) = await QuantityAsync(db, subscription, meter, close.PeriodStart, close.PeriodEnd, ct);
            var charge = charges.GetValueOrDefault(meter.Id);
            var amount = charge is null ? 0 : (await PriceAsync(db, subscription, meter, charge, quantity, close.PeriodStart, close.PeriodEnd, ct)).AmountMinor;
            var row = new ClosedMeter(meter.Id, meter.Code, meter.Unit, quantity.Micro, events, charge?.Id, amount);
            changed |= !before.TryGetValue(meter.Id, out var b) || b.QuantityMicro != row.QuantityMicro || b.AmountMinor != row.AmountMinor;
            rows.Add(row);
        }

        return (rows, changed);
    }

    /// <summary>The meter's aggregate and event count over [start, end) from the hour roll-ups.</summary>
    internal static async Task<(UsageQuantity Quantity, long Events)> QuantityAsync(ScaiDbContext db, Subscription subscription, Meter meter, DateTimeOffset start, DateTimeOffset end, CancellationToken ct)
    {
        var quantity = await UsageQueryService.UsedAsync(db, subscription.TenantId, subscription.Id, meter, start, end, ct);
        var from = UsageRollup.BucketOf(start, RollupGrain.Hour);
        var events = await db.UsageRollups.IgnoreQueryFilters().AsNoTracking()
            .Where(r => r.TenantId == subscription.TenantId && r.SubscriptionId == subscription.Id && r.MeterId == meter.Id && r.Grain == RollupGrain.Hour && r.BucketStart >= from && r.BucketStart < end)
            .SumAsync(r => r.EventCount, ct);
        return (quantity, events);
    }

    /// <summary>
    /// Prices <paramref name="quantity"/> under <paramref name="charge"/>. Cost-plus: the period's events grouped by the
    /// unit cost recorded at ingestion (earliest first); a difference to the roll-up quantity (corrections) is priced
    /// at the latest cost.
    /// </summary>
    internal static async Task<UsageChargeResult> PriceAsync(ScaiDbContext db, Subscription subscription, Meter meter, PlanUsageCharge charge, UsageQuantity quantity,
        DateTimeOffset start, DateTimeOffset end, CancellationToken ct)
    {
        if (charge.Model != UsagePriceModel.CostPlus)
        {
            return UsageCalculator.Price(charge.Terms, quantity);
        }

        var count = meter.Aggregation == MeterAggregation.Count;
        var from = UsageRollup.BucketOf(start, RollupGrain.Hour);
        var raw = await db.UsageEvents.IgnoreQueryFilters().AsNoTracking()
            .Where(e => e.TenantId == subscription.TenantId && e.SubscriptionId == subscription.Id && e.MeterId == meter.Id && e.OccurredAt >= from && e.OccurredAt < end)
            .GroupBy(e => e.UnitCostMicroMinor)
            .Select(g => new { Cost = g.Key, Sum = g.Sum(e => e.QuantityMicro), Count = g.LongCount(), First = g.Min(e => e.OccurredAt) }).ToListAsync(ct);
        var groups = raw.Where(g => meter.Aggregation is MeterAggregation.Sum or MeterAggregation.Count)
            .OrderBy(g => g.First).Select(g => new CostGroup(count ? UsageQuantity.Units(g.Count) : new UsageQuantity(g.Sum), g.Cost ?? charge.UnitCostMicroMinor ?? 0)).ToList();
        var total = groups.Aggregate(UsageQuantity.Zero, (s, g) => s + g.Quantity);
        if (total != quantity)
        {
            var last = groups.Count > 0 ? groups[^1] : new CostGroup(UsageQuantity.Zero, charge.UnitCostMicroMinor ?? 0);
            var rest = new UsageQuantity(last.Quantity.Micro + quantity.Micro - total.Micro);
            groups = groups.Take(Math.Max(groups.Count - 1, 0)).ToList();
            if (rest.Micro > 0)
            {
                groups.Add(last with { Quantity = rest });
            }
            else if (rest.Micro < 0)
            {
                // More corrected away than the last group holds: price the corrected quantity at the latest cost.
                groups = [new CostGroup(quantity, last.UnitCostMicroMinor)];
            }
        }

        return UsageCalculator.Price(charge.Terms, quantity, groups);
    }

    /// <summary>The line's text: "ScaiCRM – API calls: 25300 call (10000 included); 10001 - 50000: 15300 × EUR 0.001 = EUR 15.30".</summary>
    public static string Describe(string serviceName, Meter meter, PlanUsageCharge charge, UsageChargeResult price, string currency)
    {
        var digits = Currencies.MinorDigits(currency);
        var head = string.Create(CultureInfo.InvariantCulture, $"{serviceName} – {meter.Name}: {price.Quantity} {meter.Unit}");
        if (charge.IncludedUnits > 0)
        {
            head += string.Create(CultureInfo.InvariantCulture, $" ({charge.IncludedUnits} included)");
        }

        var parts = price.Parts.Select(p =>
        {
            var unit = charge.Model == UsagePriceModel.Package ? p.Description : string.Create(CultureInfo.InvariantCulture, $"{p.Description}: {p.Quantity} × {UnitPrice(p.UnitPriceMicroMinor, currency, digits)}");
            var flat = p.FlatMinor > 0 ? " + " + new Money(p.FlatMinor, currency) : string.Empty;
            return $"{unit}{flat} = {new Money(p.AmountMinor, currency)}";
        });
        var text = price.Parts.Count == 0 ? head : head + "; " + string.Join("; ", parts);
        return text.Length <= 500 ? text : text[..497] + "...";
    }

    private static string UnitPrice(long microMinor, string currency, int digits)
    {
        var major = microMinor / (decimal)UnitPrices.PerMinor / (decimal)Math.Pow(10, digits);
        return $"{currency} {major.ToString("0.##########", CultureInfo.InvariantCulture)}";
    }

    /// <summary>usage.period_closed.v1 for a closed period (docs/webhooks.md).</summary>
    private static OutboxEvent PeriodClosedEvent(UsagePeriodClose close, IReadOnlyList<ClosedMeter> meters, string invoiceId, DateTimeOffset now)
    {
        var payload = new Dictionary<string, object?>
        {
            ["subscription_id"] = close.SubscriptionId,
            ["tenant_id"] = close.TenantId,
            ["partner_id"] = close.PartnerId,
            ["period_start"] = close.PeriodStart,
            ["period_end"] = close.PeriodEnd,
            ["invoice_id"] = invoiceId,
            ["currency"] = close.Currency,
            ["amount"] = meters.Sum(m => m.AmountMinor),
            ["meters"] = meters.Select(m => new Dictionary<string, object?>
            {
                ["meter_id"] = m.MeterId,
                ["meter"] = m.Meter,
                ["unit"] = m.Unit,
                ["quantity"] = new UsageQuantity(m.QuantityMicro).ToString(),
                ["events"] = m.Events,
                ["amount"] = m.ChargeId is null ? null : m.AmountMinor,
            }).ToList(),
            ["closed_at"] = now,
        };
        var e = new DomainEvent(EventTopics.UsagePeriodClosed, close.PartnerId, close.TenantId, close.SubscriptionId, now, payload);
        return new OutboxEvent(e, JsonSerializer.Serialize(e.Payload, Persistence.Interceptors.AuditAndOutboxInterceptor.Json));
    }
}

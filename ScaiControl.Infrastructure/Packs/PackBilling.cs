using Microsoft.EntityFrameworkCore;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Domain.Vat;
using ScaiControl.Infrastructure.Persistence;

namespace ScaiControl.Infrastructure.Packs;

/// <summary>
/// The billing run's pack part (spec 002 migration 014: a pack is ONE billable line). Each billable pack
/// subscription period becomes one invoice line at the pack subscription's price, with the pack subscription id as
/// the line's subscription reference and the billing key "psb_…@period-start" (unique, so no pack period is ever
/// invoiced twice). Pack children are never billed on their own: the billing run skips subscriptions with a parent.
/// </summary>
public static class PackBilling
{
    /// <summary>The (tenant, currency) pairs with a pack period to invoice before <paramref name="cutoff"/>.</summary>
    public static async Task<IReadOnlyList<(string TenantId, string Currency)>> DueGroupsAsync(ScaiDbContext db, DateTimeOffset cutoff, CancellationToken ct)
    {
        var live = await Billable(db.PackSubscriptions.AsNoTracking()).ToListAsync(ct);
        return live.Where(p => p.NextUnbilledPeriod(cutoff) is not null).Select(p => (p.TenantId, p.Currency)).Distinct().ToList();
    }

    /// <summary>The billable pack subscriptions of a tenant in a currency, tracked (their periods advance when billed).</summary>
    public static async Task<IReadOnlyList<PackSubscription>> DueAsync(ScaiDbContext db, string tenantId, string currency, CancellationToken ct) =>
        await Billable(db.PackSubscriptions).Where(p => p.TenantId == tenantId && p.Currency == currency).OrderBy(p => p.Id).ToListAsync(ct);

    /// <summary>
    /// Adds one line per unbilled period (before <paramref name="cutoff"/>) of each pack subscription to
    /// <paramref name="invoice"/>: "Pack name (pack: Service Plan, …)", quantity 1, unit price = the pack
    /// subscription's price (EN 16931 BT-146; BT-131 = the same), invoicing period BT-134/BT-135; and advances the
    /// pack's (and its children's) periods.
    /// </summary>
    public static async Task AddLinesAsync(ScaiDbContext db, Invoice invoice, IReadOnlyList<PackSubscription> packs, DateTimeOffset cutoff, VatDecision vat, DateTimeOffset now, CancellationToken ct)
    {
        if (packs.Count == 0)
        {
            return;
        }

        var ids = packs.Select(p => p.Id).ToList();
        var packIds = packs.Select(p => p.PackId).Distinct().ToList();
        var children = await db.Subscriptions.Where(s => s.PackSubscriptionId != null && ids.Contains(s.PackSubscriptionId)).ToListAsync(ct);
        var names = await db.ServicePacks.AsNoTracking().Where(p => packIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Name, ct);
        var childServiceIds = children.Select(c => c.ServiceId).Distinct().ToList();
        var childPlanIds = children.Select(c => c.PlanId).Distinct().ToList();
        var services = await db.Services.AsNoTracking().Where(s => childServiceIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.Name, ct);
        var plans = await db.Plans.AsNoTracking().Where(p => childPlanIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Name, ct);
        foreach (var pack in packs)
        {
            var mine = children.Where(c => c.PackSubscriptionId == pack.Id).OrderBy(c => c.Id, StringComparer.Ordinal).ToList();
            var parts = string.Join(", ", mine.Select(c => $"{services[c.ServiceId]} {plans[c.PlanId]}"));
            var description = $"{names[pack.PackId]} (pack: {parts})";
            if (description.Length > 500)
            {
                description = description[..499] + "…";
            }

            while (pack.NextUnbilledPeriod(cutoff) is { } period)
            {
                invoice.AddLine(description, 1, Money.Of(pack.PriceMinor, pack.Currency), vat, pack.Id, period.Start, period.End);
                pack.MarkBilled(period.Start, period.End, mine, now);
            }
        }
    }

    private static IQueryable<PackSubscription> Billable(IQueryable<PackSubscription> query) =>
        query.Where(p => p.Status == SubscriptionStatus.Active || p.Status == SubscriptionStatus.PastDue || p.Status == SubscriptionStatus.Cancelling);
}

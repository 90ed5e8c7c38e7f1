using Microsoft.EntityFrameworkCore;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Domain.Vat;
using ScaiControl.Infrastructure.Persistence;

namespace ScaiControl.Infrastructure.Invoicing;

/// <summary>
/// Puts pending <see cref="SubscriptionCharge"/>s (plan-change proration and catch-up periods) on the invoice the
/// billing run is making for a (tenant, currency), as lines with their own unique billing key, and marks each
/// charge's InvoiceId in the same transaction: a charge is invoiced exactly once, also when two nodes bill at once
/// (the loser's insert hits the unique billing key and its whole transaction rolls back).
/// Credit rule (docs/lifecycle.md): an invoice never goes below zero. Charges go on first; each credit is then
/// applied up to what the invoice still totals (net); a credit larger than that is split, the rest staying pending
/// for the tenant's next invoice. A credit alone makes no invoice.
/// </summary>
public static class PendingChargeBilling
{
    /// <summary>(tenant, currency) pairs with pending charges created before <paramref name="cutoff"/>.</summary>
    public static async Task<List<(string TenantId, string Currency)>> TenantsWithPendingChargesAsync(ScaiDbContext db, DateTimeOffset cutoff, CancellationToken ct)
    {
        var pending = await db.SubscriptionCharges.AsNoTracking().Where(c => c.InvoiceId == null && c.AmountMinor > 0)
            .Select(c => new { c.TenantId, c.Currency, c.CreatedAt }).ToListAsync(ct);
        return pending.Where(c => c.CreatedAt < cutoff).Select(c => (c.TenantId, c.Currency)).Distinct().ToList();
    }

    /// <summary>The tenant's pending charges in <paramref name="currency"/> created before <paramref name="cutoff"/>, tracked, oldest first.</summary>
    public static async Task<List<SubscriptionCharge>> PendingAsync(ScaiDbContext db, string tenantId, string currency, DateTimeOffset cutoff, CancellationToken ct)
    {
        var pending = await db.SubscriptionCharges.Where(c => c.TenantId == tenantId && c.Currency == currency && c.InvoiceId == null).ToListAsync(ct);
        return pending.Where(c => c.CreatedAt < cutoff).OrderBy(c => c.CreatedAt).ThenBy(c => c.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Adds the charges to <paramref name="invoice"/> (positive amounts first, then credits under the credit rule) and
    /// marks them invoiced. Returns the pending remainders of split credits, to be added to the context.
    /// </summary>
    public static IReadOnlyList<SubscriptionCharge> AddLines(Invoice invoice, IReadOnlyList<SubscriptionCharge> charges, VatDecision vat, DateTimeOffset now)
    {
        foreach (var charge in charges.Where(c => c.AmountMinor > 0))
        {
            Add(invoice, charge, vat);
        }

        var remainders = new List<SubscriptionCharge>();
        foreach (var credit in charges.Where(c => c.AmountMinor < 0))
        {
            var room = invoice.NetTotalMinor;
            if (room <= 0)
            {
                continue; // stays pending for the next invoice
            }

            if (-credit.AmountMinor > room)
            {
                remainders.Add(credit.SplitCredit(room, now));
            }

            Add(invoice, credit, vat);
        }

        return remainders;
    }

    private static void Add(Invoice invoice, SubscriptionCharge charge, VatDecision vat)
    {
        invoice.AddChargeLine(charge.Description, new Money(charge.AmountMinor, charge.Currency), vat, charge.SubscriptionId, charge.PeriodStart, charge.PeriodEnd, charge.BillingKey);
        charge.MarkInvoiced(invoice.Id);
    }
}

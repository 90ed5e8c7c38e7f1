using Microsoft.EntityFrameworkCore;
using ScaiControl.Domain.Catalog;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Domain.Vat;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Infrastructure.Dashboard;

/// <summary>
/// A service the tenant has now: a standalone subscription, a pack subscription (<paramref name="Kind"/> "pack",
/// its services in <paramref name="Services"/>), with its state, rate per interval (minor units), the current
/// period, the trial end and, when cancelling, the instant it ends (<paramref name="EndsAt"/>).
/// </summary>
public sealed record LiveService(string Kind, string Id, string Name, IReadOnlyList<string> Services, string Status, long Rate, string Currency, string Interval,
    DateTimeOffset CurrentPeriodStart, DateTimeOffset CurrentPeriodEnd, DateTimeOffset? TrialEnd, DateTimeOffset? EndsAt);

/// <summary>
/// The next renewal of a live service: the next period starts at <paramref name="RenewsAt"/> (a trial: its end) at
/// <paramref name="Net"/> per period, with the VAT the tenant's profile gets today (<paramref name="Vat"/>,
/// <paramref name="Gross"/>; null without a billing profile). Billing is in advance, so the period is invoiced by the
/// scheduled run of its month (docs/decisions/0003).
/// </summary>
public sealed record Renewal(string Kind, string Id, string Name, DateTimeOffset RenewsAt, long Net, long? Vat, long? Gross, string Currency);

/// <summary>An invoice or credit note as the overview lists it; amounts in minor units (BT-106, BT-110, BT-112).</summary>
public sealed record InvoiceSummary(string Id, string DocumentType, string? Number, DateOnly? IssueDate, DateOnly? DueDate, long Net, long Vat, long Gross, string Currency);

/// <summary>A running trial: when it ends, whole days left (rounded up) and what happens then ("activate" | "expire").</summary>
public sealed record TrialStatus(string SubscriptionId, string ServiceName, string PlanName, DateTimeOffset TrialEnd, int DaysLeft, string ThenWhat);

/// <summary>
/// The tenant overview (issue 9): live services, next renewals, open invoices (finalised invoices not yet due:
/// payments are not recorded yet, so "open" means within the payment term), the 5 most recent finalised documents
/// and the running trials.
/// </summary>
public sealed record TenantOverview(DateTimeOffset AsOf, string TenantId, string TenantName, IReadOnlyList<LiveService> Services, IReadOnlyList<Renewal> Renewals,
    IReadOnlyList<InvoiceSummary> OpenInvoices, IReadOnlyList<InvoiceSummary> RecentInvoices, IReadOnlyList<TrialStatus> Trials);

/// <summary>
/// Reads the tenant overview within the actor's scope: a tenant user sees its own tenant; the operator or a
/// partner admin names one of the tenants it may see. Only the tenant's own rows are read, bounded by the number of
/// its services and a fixed number of invoices.
/// </summary>
public sealed class TenantOverviewService(ScaiDbFactory factory, TimeProvider clock)
{
    /// <summary>How many recent documents the overview lists.</summary>
    public const int RecentShown = 5;

    /// <summary>The overview of the actor's tenant, or of <paramref name="tenantId"/> for the operator / a partner admin.</summary>
    /// <exception cref="DomainValidationException">An operator/partner without tenant_id, or a tenant user naming another tenant.</exception>
    /// <exception cref="NotFoundException">The tenant is not visible to the actor.</exception>
    /// <exception cref="UnauthorizedAccessException">No subscriptions:read and invoices:read.</exception>
    public async Task<TenantOverview> GetAsync(Actor actor, string? tenantId, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.SubscriptionsRead);
        InvoiceService.Require(actor, Permissions.InvoicesRead);
        if (actor.TenantId is not null && tenantId is not null && tenantId != actor.TenantId)
        {
            throw new DomainValidationException("tenant_id", "A tenant user sees its own overview only.");
        }

        var target = actor.TenantId ?? tenantId ?? throw new DomainValidationException("tenant_id", "tenant_id is required for a partner or operator.");
        var now = clock.GetUtcNow();
        await using var db = await factory.OpenAsync(actor, "tenant overview", ct);
        var tenant = await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == target, ct) ?? throw new NotFoundException("tenant", target);

        var subscriptions = await (from s in db.Subscriptions.AsNoTracking()
                                   join p in db.Plans.AsNoTracking() on s.PlanId equals p.Id
                                   join v in db.Services.AsNoTracking() on s.ServiceId equals v.Id
                                   where s.TenantId == tenant.Id && s.PackSubscriptionId == null
                                         && s.Status != SubscriptionStatus.Cancelled && s.Status != SubscriptionStatus.Expired
                                   orderby s.CreatedAt, s.Id
                                   select new { Subscription = s, Plan = p, ServiceName = v.Name }).ToListAsync(ct);
        var packs = await (from ps in db.PackSubscriptions.AsNoTracking()
                           join pk in db.ServicePacks.AsNoTracking() on ps.PackId equals pk.Id
                           where ps.TenantId == tenant.Id && ps.Status != SubscriptionStatus.Cancelled && ps.Status != SubscriptionStatus.Expired
                           orderby ps.CreatedAt, ps.Id
                           select new { Pack = ps, pk.Name }).ToListAsync(ct);
        var packIds = packs.Select(p => p.Pack.Id).ToList();
        // The pack's services in the pack's item order.
        var children = await (from s in db.Subscriptions.AsNoTracking()
                              join v in db.Services.AsNoTracking() on s.ServiceId equals v.Id
                              join ps in db.PackSubscriptions.AsNoTracking() on s.PackSubscriptionId equals ps.Id
                              join item in db.ServicePackItems.AsNoTracking() on new { ps.PackId, s.ServiceId } equals new { item.PackId, item.ServiceId }
                              where s.PackSubscriptionId != null && packIds.Contains(s.PackSubscriptionId)
                              orderby item.Position, s.Id
                              select new { s.PackSubscriptionId, v.Name }).ToListAsync(ct);

        var services = subscriptions.Select(x => new LiveService("subscription", x.Subscription.Id, $"{x.ServiceName} – {x.Plan.Name}", [x.ServiceName],
                x.Subscription.Status.WireName(), x.Subscription.RateMinor, x.Plan.Currency, x.Subscription.Interval.WireName(),
                x.Subscription.CurrentPeriodStart, x.Subscription.CurrentPeriodEnd, x.Subscription.TrialEnd,
                x.Subscription.Status == SubscriptionStatus.Cancelling ? x.Subscription.CurrentPeriodEnd : null))
            .Concat(packs.Select(x => new LiveService("pack", x.Pack.Id, x.Name, children.Where(c => c.PackSubscriptionId == x.Pack.Id).Select(c => c.Name).ToList(),
                x.Pack.Status.WireName(), x.Pack.PriceMinor, x.Pack.Currency, x.Pack.Interval.WireName(), x.Pack.CurrentPeriodStart, x.Pack.CurrentPeriodEnd, null,
                x.Pack.Status == SubscriptionStatus.Cancelling ? x.Pack.CurrentPeriodEnd : null)))
            .ToList();

        // Renewals: active and past_due renew at the next anniversary after now (fixed terms stop at their end);
        // a trial that activates renews at its trial end. Cancelling, suspended and expiring trials do not renew.
        var renewals = new List<(string Kind, string Id, string Name, DateTimeOffset At, long Net, string Currency)>();
        foreach (var x in subscriptions)
        {
            var s = x.Subscription;
            DateTimeOffset? at = s.Status switch
            {
                SubscriptionStatus.Trialing when x.Plan.TrialEndBehavior == TrialEndBehavior.Activate && s.TrialEnd is { } end => end,
                SubscriptionStatus.Active or SubscriptionStatus.PastDue => NextAnniversary(s.Interval, s.BillingAnchor, now),
                _ => null,
            };
            if (at is { } a && (s.TermEnd is null || a < s.TermEnd))
            {
                renewals.Add(("subscription", s.Id, $"{x.ServiceName} – {x.Plan.Name}", a, s.RateMinor, x.Plan.Currency));
            }
        }

        foreach (var x in packs.Where(p => p.Pack.Status is SubscriptionStatus.Active or SubscriptionStatus.PastDue))
        {
            renewals.Add(("pack", x.Pack.Id, x.Name, NextAnniversary(x.Pack.Interval, x.Pack.BillingAnchor, now), x.Pack.PriceMinor, x.Pack.Currency));
        }

        var profile = await db.TenantBillingProfiles.AsNoTracking().SingleOrDefaultAsync(p => p.TenantId == tenant.Id, ct);
        var seller = await db.PartnerConfigurations.AsNoTracking().SingleOrDefaultAsync(c => c.PartnerId == tenant.PartnerId, ct);
        VatDecision? vat = profile is null || seller is null ? null
            : await BillingSchedule.DecideAsync(factory, seller, profile.Country, profile.VatId, profile.HasValidatedVatId, DateOnly.FromDateTime(now.UtcDateTime), ct);
        var renewalViews = renewals.OrderBy(r => r.At).ThenBy(r => r.Id, StringComparer.Ordinal).Select(r =>
        {
            long? tax = vat is null ? null : vat.Rate.TaxOn(new Money(r.Net, r.Currency)).MinorUnits;
            return new Renewal(r.Kind, r.Id, r.Name, r.At, r.Net, tax, tax is null ? null : r.Net + tax, r.Currency);
        }).ToList();

        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var finalised = db.Invoices.AsNoTracking().Where(i => i.TenantId == tenant.Id && i.Status == InvoiceStatus.Finalised);
        var open = await finalised.Where(i => i.DocumentType == DocumentType.Invoice && i.DueDate >= today)
            .OrderBy(i => i.DueDate).ThenBy(i => i.Id).Take(50).Select(Summary).ToListAsync(ct);
        var recent = await finalised.OrderByDescending(i => i.FinalisedAt).ThenByDescending(i => i.Id).Take(RecentShown).Select(Summary).ToListAsync(ct);

        var trials = subscriptions.Where(x => x.Subscription.Status == SubscriptionStatus.Trialing && x.Subscription.TrialEnd is not null)
            .Select(x => new TrialStatus(x.Subscription.Id, x.ServiceName, x.Plan.Name, x.Subscription.TrialEnd!.Value,
                Math.Max(0, (int)Math.Ceiling((x.Subscription.TrialEnd!.Value - now).TotalDays)), x.Plan.TrialEndBehavior.WireName()))
            .OrderBy(t => t.TrialEnd).ToList();

        return new TenantOverview(now, tenant.Id, tenant.Name, services, renewalViews, open.Select(ToSummary).ToList(), recent.Select(ToSummary).ToList(), trials);
    }

    /// <summary>The first anniversary of <paramref name="anchor"/> after <paramref name="now"/> (the anchor itself while it lies ahead).</summary>
    public static DateTimeOffset NextAnniversary(BillingInterval interval, DateTimeOffset anchor, DateTimeOffset now) =>
        now < anchor ? anchor : interval.PeriodEnd(anchor, now);

    private static readonly System.Linq.Expressions.Expression<Func<Invoice, SummaryRow>> Summary = i =>
        new SummaryRow(i.Id, i.DocumentType, i.Number, i.IssueDate, i.DueDate, i.NetTotalMinor, i.VatTotalMinor, i.GrossTotalMinor, i.Currency);

    private static InvoiceSummary ToSummary(SummaryRow r) => new(r.Id, r.DocumentType == DocumentType.CreditNote ? "credit_note" : "invoice",
        r.Number, r.IssueDate, r.DueDate, r.Net, r.Vat, r.Gross, r.Currency);

    private sealed record SummaryRow(string Id, DocumentType DocumentType, string? Number, DateOnly? IssueDate, DateOnly? DueDate, long Net, long Vat, long Gross, string Currency);
}

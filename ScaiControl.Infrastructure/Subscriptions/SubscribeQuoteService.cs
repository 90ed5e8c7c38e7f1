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

namespace ScaiControl.Infrastructure.Subscriptions;

/// <summary>
/// The first invoice a new subscription produces: issued by the scheduled run on <paramref name="IssueDate"/> for
/// billing month <paramref name="RunPeriod"/> ("YYYY-MM"), one line per period in <paramref name="Periods"/> at
/// <paramref name="UnitPrice"/>; <paramref name="Net"/> (BT-106 share), <paramref name="Vat"/> (BT-110, rounded half
/// away from zero on the net, EN 16931 BR-CO-17) and <paramref name="Gross"/> in minor units of
/// <paramref name="Currency"/>. Other subscriptions of the tenant in the same currency go on the same invoice.
/// </summary>
public sealed record FirstInvoiceQuote(DateOnly IssueDate, string RunPeriod, IReadOnlyList<PeriodSpan> Periods, long UnitPrice, long Net, long Vat, long Gross, string Currency);

/// <summary>A subscription the tenant already has to a service it is about to subscribe to; <paramref name="PackName"/> when it is inside a pack.</summary>
public sealed record ExistingService(string ServiceId, string ServiceName, string SubscriptionId, string Status, string? PackSubscriptionId, string? PackName);

/// <summary>
/// What subscribing would do, computed without writing anything: the offer (a plan of a service, or a pack), its
/// price per interval (minor units), the trial, the VAT that applies to THIS buyer (null with a warning when the
/// tenant has no billing profile yet, which finalisation requires), the first invoice (null when a trial ends by
/// expiring unless the tenant activates), the services the tenant already has, and the warnings to show.
/// </summary>
public sealed record SubscribeQuote(
    string Kind, string TenantId, string TenantName, string OfferId, string Name, string? ServiceName, IReadOnlyList<string> Services,
    string Interval, long Price, string Currency, int TrialDays, DateTimeOffset? TrialEnd, string? TrialEndBehavior,
    VatTreatment? Vat, FirstInvoiceQuote? FirstInvoice, IReadOnlyList<ExistingService> AlreadySubscribed, IReadOnlyList<string> Warnings);

/// <summary>
/// The subscribe summary (issue 9): before a tenant subscribes to a plan or a pack, what it costs, which VAT
/// applies, when the first invoice comes and for how much, and whether the tenant already has the service, alone or
/// inside a pack. Reads only; the same rules as <see cref="SubscriptionService"/> (which tenant), <see cref="Subscription.Start"/>
/// (trial, anchor, term), <see cref="BillingRunService"/> (in advance, anniversary periods, the scheduled run on the
/// 1st; see <see cref="BillingSchedule"/>) and <see cref="InvoiceService"/> (VAT at finalisation).
/// </summary>
public sealed class SubscribeQuoteService(ScaiDbFactory factory, TimeProvider clock)
{
    /// <summary>Quotes subscribing the actor's tenant (or the operator's/partner's <paramref name="tenantId"/>) to a plan (<paramref name="planId"/>) or a pack (<paramref name="packId"/>).</summary>
    /// <exception cref="DomainValidationException">Neither or both of plan_id and pack_id; unknown or retired offer; unknown tenant; a tenant user naming another tenant.</exception>
    /// <exception cref="UnauthorizedAccessException">No subscriptions:write.</exception>
    public async Task<SubscribeQuote> QuoteAsync(Actor actor, string? planId, string? packId, string? tenantId, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.SubscriptionsWrite);
        var hasPlan = !string.IsNullOrWhiteSpace(planId);
        var hasPack = !string.IsNullOrWhiteSpace(packId);
        if (hasPlan == hasPack)
        {
            throw new DomainValidationException(hasPlan ? "pack_id" : "plan_id", "Give either plan_id or pack_id.");
        }

        var target = SubscriptionService.TargetTenantId(actor, tenantId);
        var now = clock.GetUtcNow();
        await using var db = await factory.OpenAsync(actor, "quote subscription", ct);
        var tenant = await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == target, ct)
            ?? throw new DomainValidationException("tenant_id", $"Tenant '{target}' was not found.");

        string kind, offerId, name;
        string? serviceName, trialBehaviour = null;
        List<(string Id, string Name)> services;
        BillingInterval interval;
        long price;
        string currency;
        int trialDays = 0;
        int? termPeriods = null;
        if (hasPlan)
        {
            var plan = await db.Plans.AsNoTracking().SingleOrDefaultAsync(p => p.Id == planId, ct)
                ?? throw new DomainValidationException("plan_id", $"Plan '{planId}' was not found.");
            var service = await db.Services.AsNoTracking().SingleAsync(s => s.Id == plan.ServiceId, ct);
            if (!plan.IsActive || !service.IsActive)
            {
                throw new DomainValidationException("plan_id", "The plan is not available for new subscriptions.");
            }

            (kind, offerId, name, serviceName, interval, price, currency) = ("plan", plan.Id, plan.Name, service.Name, plan.Interval, plan.PriceMinor, plan.Currency);
            (trialDays, trialBehaviour, termPeriods) = (plan.TrialDays, plan.TrialDays > 0 ? plan.TrialEndBehavior.WireName() : null, plan.TermPeriods);
            services = [(service.Id, service.Name)];
        }
        else
        {
            var pack = await db.ServicePacks.AsNoTracking().Include(p => p.Items).SingleOrDefaultAsync(p => p.Id == packId, ct)
                ?? throw new DomainValidationException("pack_id", $"Pack '{packId}' was not found.");
            var view = (await Packs.PackCatalogService.ViewsAsync(db, [pack], ct))[0];
            if (!pack.IsActive || view.Items.Any(i => !i.Plan.IsActive || !i.Service.IsActive))
            {
                throw new DomainValidationException("pack_id", $"Pack {pack.Code} is no longer on sale.");
            }

            (kind, offerId, name, serviceName, interval, price, currency) = ("pack", pack.Id, pack.Name, null, pack.Interval, view.Quote.PriceMinor, pack.Currency);
            services = view.Items.Select(i => (i.Service.Id, i.Service.Name)).ToList();
        }

        var warnings = new List<string>();
        var existing = await ExistingAsync(db, tenant.Id, services.Select(s => s.Id).ToList(), ct);
        foreach (var e in existing)
        {
            warnings.Add(e.PackName is null
                ? $"{tenant.Name} already has {e.ServiceName} ({e.Status.Replace('_', ' ')}); subscribing again bills it twice."
                : $"{tenant.Name} already has {e.ServiceName} inside the pack {e.PackName} ({e.Status.Replace('_', ' ')}); subscribing again bills it twice.");
        }

        // The same anchor rules as Subscription.Start: a trial moves the first paid period to the trial end.
        DateTimeOffset? trialEnd = trialDays > 0 ? now.AddDays(trialDays) : null;
        var anchor = trialEnd ?? now;
        DateTimeOffset? termEnd = termPeriods is { } n && n > 0 ? (interval == BillingInterval.Month ? anchor.AddMonths(n) : anchor.AddYears(n)) : null;
        FirstInvoiceQuote? first = null;
        VatTreatment? vat = null;
        var run = anchor; // each period is invoiced when it starts (docs/decisions/0009)
        var issueDate = DateOnly.FromDateTime(run.UtcDateTime);
        var buyer = await db.TenantBillingProfiles.AsNoTracking().SingleOrDefaultAsync(p => p.TenantId == tenant.Id, ct);
        var seller = await db.PartnerConfigurations.AsNoTracking().SingleOrDefaultAsync(c => c.PartnerId == tenant.PartnerId, ct);
        VatDecision? decision = null;
        if (buyer is null)
        {
            warnings.Add("There is no billing profile yet: add one (legal name, address, country, VAT id) so the first invoice can be issued.");
        }
        else if (seller is null)
        {
            warnings.Add("The seller has not completed its invoicing details yet; the VAT is decided when it has.");
        }
        else
        {
            decision = await BillingSchedule.DecideAsync(factory, seller, buyer.Country, buyer.VatId, buyer.HasValidatedVatId, issueDate, ct);
            vat = VatTreatment.From(decision);
        }

        if (trialBehaviour == TrialEndBehavior.Expire.WireName())
        {
            warnings.Add($"The trial ends on {trialEnd:yyyy-MM-dd} and the subscription then expires unless it is activated; nothing is invoiced before.");
        }
        else
        {
            var periods = BillingSchedule.PeriodsOfFirstInvoice(interval, anchor, run, termEnd);
            var net = checked(price * periods.Count);
            var tax = decision is null ? 0 : decision.Rate.TaxOn(new Money(net, currency)).MinorUnits;
            first = new FirstInvoiceQuote(issueDate, BillingPeriod.Of(run).ToString(), periods, price, net, tax, net + tax, currency);
        }

        return new SubscribeQuote(kind, tenant.Id, tenant.Name, offerId, name, serviceName, services.Select(s => s.Name).ToList(), interval.WireName(), price, currency,
            trialDays, trialEnd, trialBehaviour, vat, first, existing, warnings);
    }

    /// <summary>The tenant's subscriptions that are not over (neither cancelled nor expired) to any of <paramref name="serviceIds"/>, with the pack they are in.</summary>
    private static async Task<IReadOnlyList<ExistingService>> ExistingAsync(ScaiDbContext db, string tenantId, List<string> serviceIds, CancellationToken ct)
    {
        var rows = await (from s in db.Subscriptions.AsNoTracking()
                          join v in db.Services.AsNoTracking() on s.ServiceId equals v.Id
                          join ps in db.PackSubscriptions.AsNoTracking() on s.PackSubscriptionId equals ps.Id into parents
                          from parent in parents.DefaultIfEmpty()
                          join pk in db.ServicePacks.AsNoTracking() on parent.PackId equals pk.Id into packs
                          from pack in packs.DefaultIfEmpty()
                          where s.TenantId == tenantId && serviceIds.Contains(s.ServiceId)
                                && s.Status != SubscriptionStatus.Cancelled && s.Status != SubscriptionStatus.Expired
                          orderby s.Id
                          select new { s.ServiceId, v.Name, s.Id, s.Status, s.PackSubscriptionId, PackName = pack == null ? null : pack.Name }).ToListAsync(ct);
        return rows.Select(r => new ExistingService(r.ServiceId, r.Name, r.Id, r.Status.WireName(), r.PackSubscriptionId, r.PackName)).ToList();
    }
}

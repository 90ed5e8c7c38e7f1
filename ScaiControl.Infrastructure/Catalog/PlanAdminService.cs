using Microsoft.EntityFrameworkCore;
using ScaiControl.Domain.Catalog;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Infrastructure.Catalog;

/// <summary>A plan as the admin API writes it: fixed price, or (unit_cost and margin_bps given) cost-plus; trial and term settings.</summary>
public sealed record PlanInput(string? ServiceSlug, string? Code, string? Name, long? Price, string? Currency, string? Interval, int? TrialDays,
    string? TrialEndBehavior, int? TermPeriods, long? UnitCost, int? MarginBps);

/// <summary>A plan in the admin plan list with its service.</summary>
public sealed record PlanRow(Plan Plan, Service Service);

/// <summary>What a cost refresh did: the plan and how many live subscriptions got the new rate.</summary>
public sealed record CostRefreshResult(Plan Plan, int SubscriptionsRefreshed);

/// <summary>
/// Operator catalog writes beyond <see cref="CatalogService"/> (issue 4): plans with trial_end_behavior and
/// term_periods, and cost-based plans (spec 002 migration 007) whose price is refreshed from cost + margin together
/// with the rate of every live subscription of the plan, in one transaction. Invoices already made keep their rate.
/// </summary>
public sealed class PlanAdminService(ScaiDbFactory factory, TimeProvider clock, Distributed.ISharedCache cache)
{
    /// <summary>The sort keys of the plan list: code, name (case-insensitive), price (minor units) and created (id order).</summary>
    public static readonly SortKeys<Plan> Sorts = new SortKeys<Plan>().Text("code", p => p.Code).Text("name", p => p.Name.ToLower()).Number("price", p => p.PriceMinor).Text("created", p => p.Id);

    /// <summary>
    /// A page of every plan (retired ones too) with its service, for the operator's plan list (keyset paging, never
    /// the whole table): plans whose code or name, or whose service's name, contains <paramref name="search"/>
    /// (case-insensitive), in the order <paramref name="sort"/> names (null: newest first).
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">Not a catalog writer.</exception>
    /// <exception cref="DomainValidationException">An unknown sort key, bad limit or cursor.</exception>
    public async Task<Page<PlanRow>> PageAsync(Actor actor, string? search, ListSort? sort, string? cursor, int limit, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.CatalogWrite);
        await using var db = factory.ForPlatform(actor.UserId);
        var query = db.Plans.AsNoTracking();
        if (search?.Trim().ToLowerInvariant() is { Length: > 0 } term)
        {
#pragma warning disable CA1862 // LOWER(...) LIKE '%term%' on every provider
            query = query.Where(p => p.Code.ToLower().Contains(term) || p.Name.ToLower().Contains(term) || db.Services.Any(s => s.Id == p.ServiceId && s.Name.ToLower().Contains(term)));
#pragma warning restore CA1862
        }

        var page = await Paging.ReadAsync(query, p => p.Id, Sorts, sort, cursor, limit, ct);
        var serviceIds = page.Items.Select(p => p.ServiceId).Distinct().ToList();
        var services = await db.Services.AsNoTracking().Where(s => serviceIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, ct);
        return new Page<PlanRow>(page.Items.Select(p => new PlanRow(p, services[p.ServiceId])).ToList(), page.NextCursor);
    }

    /// <summary>Creates the plan (service slug + code) or updates the one with that code.</summary>
    /// <exception cref="UnauthorizedAccessException">Not the operator.</exception>
    /// <exception cref="NotFoundException">Unknown service.</exception>
    /// <exception cref="DomainValidationException">Missing or invalid fields (HTTP 422).</exception>
    public async Task<Plan> SaveAsync(Actor actor, PlanInput input, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.CatalogWrite);
        var code = Required(input.Code, "code");
        var behavior = PlanWireNames.ParseTrialEndBehavior(input.TrialEndBehavior);
        var costBased = input.UnitCost is not null || input.MarginBps is not null;
        if (costBased && (input.UnitCost is null || input.MarginBps is null))
        {
            throw new DomainValidationException(input.UnitCost is null ? "unit_cost" : "margin_bps", "A cost-based plan needs both unit_cost and margin_bps.");
        }

        if (!costBased && input.Price is null)
        {
            throw new DomainValidationException("price", "price is required (or unit_cost and margin_bps for a cost-based plan).");
        }

        var now = clock.GetUtcNow();
        await using var db = await factory.ForOperatorAsync(actor, "save plan", ct);
        var slug = Required(input.ServiceSlug, "service_slug");
        var service = await db.Services.SingleOrDefaultAsync(s => s.Slug == slug, ct) ?? throw new NotFoundException("service", slug);
        var price = Money.Of(input.Price ?? 0, Required(input.Currency, "currency"));
        var interval = BillingIntervals.Parse(input.Interval);
        var plan = await db.Plans.SingleOrDefaultAsync(p => p.ServiceId == service.Id && p.Code == code, ct);
        if (plan is null)
        {
            plan = new Plan(service.Id, code, Required(input.Name, "name"), price, interval, input.TrialDays ?? 0, now);
            db.Plans.Add(plan);
        }
        else
        {
            plan.Update(Required(input.Name, "name"), price, interval, input.TrialDays ?? 0);
        }

        plan.SetLifecycle(behavior, input.TermPeriods);
        if (costBased)
        {
            plan.RefreshCostPrice(input.UnitCost!.Value, input.MarginBps!.Value, now);
        }

        await db.SaveChangesAsync(ct);
        await cache.InvalidateAsync(CatalogService.CacheKey, ct);
        return plan;
    }

    /// <summary>One plan (retired ones too) with its service, for the operator.</summary>
    /// <exception cref="UnauthorizedAccessException">Not a catalog writer.</exception>
    /// <exception cref="NotFoundException">Unknown plan.</exception>
    public async Task<PlanRow> GetAsync(Actor actor, string id, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.CatalogWrite);
        await using var db = factory.ForPlatform(actor.UserId);
        var plan = await db.Plans.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, ct) ?? throw new NotFoundException("plan", id);
        return new PlanRow(plan, await db.Services.AsNoTracking().SingleAsync(s => s.Id == plan.ServiceId, ct));
    }

    /// <summary>
    /// Changes the fields of plan <paramref name="id"/> that <paramref name="patch"/> gives (null: keep), through the
    /// same rules as <see cref="SaveAsync"/>; the service and code can't change (they identify the plan). Giving price
    /// alone makes a cost-based plan fixed again; giving unit_cost and margin_bps makes it cost-based.
    /// </summary>
    /// <exception cref="NotFoundException">Unknown plan.</exception>
    /// <exception cref="DomainValidationException">An invalid field, or an attempt to change service_slug or code (HTTP 422).</exception>
    public async Task<Plan> EditAsync(Actor actor, string id, PlanInput patch, CancellationToken ct = default)
    {
        var (plan, service) = await GetAsync(actor, id, ct);
        if (patch.ServiceSlug is { } slug && slug != service.Slug)
        {
            throw new DomainValidationException("service_slug", "A plan's service can't change; create a plan of the other service instead.");
        }

        if (patch.Code is { } code && code != plan.Code)
        {
            throw new DomainValidationException("code", "A plan's code can't change; create a plan with the new code instead.");
        }

        var pricingGiven = patch.Price is not null || patch.UnitCost is not null || patch.MarginBps is not null;
        var costBased = pricingGiven ? patch.UnitCost is not null || patch.MarginBps is not null : plan.PricingModel == PricingModel.CostPlus;
        return await SaveAsync(actor, new PlanInput(service.Slug, plan.Code, patch.Name ?? plan.Name,
            costBased ? null : patch.Price ?? plan.PriceMinor, patch.Currency ?? plan.Currency, patch.Interval ?? plan.Interval.WireName(),
            patch.TrialDays ?? plan.TrialDays, patch.TrialEndBehavior ?? plan.TrialEndBehavior.WireName(), patch.TermPeriods ?? plan.TermPeriods,
            costBased ? patch.UnitCost ?? plan.UnitCostMinor : null, costBased ? patch.MarginBps ?? plan.MarginBasisPoints : null), ct);
    }

    /// <summary>
    /// Withdraws a plan from sale: it is no longer offered to new subscribers; live subscriptions of the plan continue
    /// on it. Retiring a retired plan is a conflict.
    /// </summary>
    /// <exception cref="NotFoundException">Unknown plan.</exception>
    /// <exception cref="DomainConflictException">Already retired (HTTP 409).</exception>
    public async Task<Plan> RetireAsync(Actor actor, string id, bool dryRun = false, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.CatalogWrite);
        await using var db = await factory.ForOperatorAsync(actor, "retire plan", ct);
        var plan = await db.Plans.SingleOrDefaultAsync(p => p.Id == id, ct) ?? throw new NotFoundException("plan", id);
        if (!plan.IsActive)
        {
            throw new DomainConflictException($"Plan {plan.Code} is already retired.", "retired", []);
        }

        plan.Retire();
        if (!dryRun)
        {
            await db.SaveChangesAsync(ct);
            await cache.InvalidateAsync(CatalogService.CacheKey, ct);
        }

        return plan;
    }

    /// <summary>
    /// Refreshes a cost-based plan (or makes a fixed plan cost-based): price = unit cost × (1 + margin / 10000),
    /// rounded half away from zero to a whole minor unit; sets price_refreshed_at, and gives every live subscription
    /// of the plan the new rate, in the same transaction. Invoices already made keep the rate they were made with.
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">Not the operator.</exception>
    /// <exception cref="NotFoundException">Unknown plan.</exception>
    /// <exception cref="DomainValidationException">Missing/out-of-range unit_cost or margin_bps (HTTP 422).</exception>
    public async Task<CostRefreshResult> RefreshCostAsync(Actor actor, string planId, long? unitCost, int? marginBps, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.CatalogWrite);
        if (unitCost is null)
        {
            throw new DomainValidationException("unit_cost", "unit_cost is required (minor units).");
        }

        if (marginBps is null)
        {
            throw new DomainValidationException("margin_bps", "margin_bps is required (basis points, 2500 = 25 %).");
        }

        var now = clock.GetUtcNow();
        await using var db = await factory.ForOperatorAsync(actor, "refresh cost plan", ct);
        var plan = await db.Plans.SingleOrDefaultAsync(p => p.Id == planId, ct) ?? throw new NotFoundException("plan", planId);
        plan.RefreshCostPrice(unitCost.Value, marginBps.Value, now);
        var live = await db.Subscriptions.Where(s => s.PlanId == planId
            && s.Status != SubscriptionStatus.Cancelled && s.Status != SubscriptionStatus.Expired).ToListAsync(ct);
        var refreshed = live.Count(s => s.RefreshRate(plan.PriceMinor, now));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new DomainConflictException($"A subscription of plan {plan.Code} changed at the same time; refresh again.");
        }

        await cache.InvalidateAsync(CatalogService.CacheKey, ct);

        return new CostRefreshResult(plan, refreshed);
    }

    private static string Required(string? value, string field) =>
        string.IsNullOrWhiteSpace(value) ? throw new DomainValidationException(field, $"{field} is required.") : value;
}

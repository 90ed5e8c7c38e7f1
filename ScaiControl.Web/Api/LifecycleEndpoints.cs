using Microsoft.AspNetCore.Http.HttpResults;
using ScaiControl.Domain.Catalog;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Catalog;
using ScaiControl.Infrastructure.Subscriptions;
using ScaiControl.Web.Auth;

namespace ScaiControl.Web.Api;

/// <summary>POST /api/v1/subscriptions/{id}/change-plan body: the target plan, "now" (default) | "period_end", and preview (default false).</summary>
public sealed record ChangePlanRequest(string? PlanId, string? Effective, bool? Preview);

/// <summary>A plan as a plan change names it.</summary>
public sealed record PlanRefDto(string Id, string Code, string Name);

/// <summary>A pending charge (or credit, negative) waiting for the tenant's next invoice, in cents.</summary>
public sealed record PendingChargeDto(string Id, string Kind, string Description, long Amount, string Currency, DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd)
{
    public static PendingChargeDto From(SubscriptionCharge c) => new(c.Id, c.Kind switch
    {
        SubscriptionChargeKind.ProrationCredit => "proration_credit",
        SubscriptionChargeKind.ProrationCharge => "proration_charge",
        SubscriptionChargeKind.UsageCorrection => "usage_correction",
        _ => "period_charge",
    }, c.Description, c.AmountMinor, c.Currency, c.PeriodStart, c.PeriodEnd);
}

/// <summary>
/// A plan change or its preview: credit (unused old rate), charge (new rate), net = charge − credit, all in cents of
/// currency; the span they cover; the rule ("same_period" | "new_period" | "trial"); the charges it wrote (empty for
/// a preview or "period_end") and the subscription afterwards. <c>catch_up</c> lists periods at the old rate that were
/// not invoiced yet (they are charged with the change, so a preview shows them too); <c>total</c> = their sum + net,
/// the whole amount (cents, before VAT) the change adds to the next invoice.
/// </summary>
public sealed record PlanChangeDto(bool Preview, string SubscriptionId, PlanRefDto OldPlan, PlanRefDto NewPlan, string Effective, DateTimeOffset EffectiveAt,
    string Rule, long Credit, long Charge, long Net, string Currency, DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd,
    IReadOnlyList<CatchUpPeriodDto> CatchUp, long Total, IReadOnlyList<PendingChargeDto> PendingCharges, SubscriptionDto Subscription)
{
    public static PlanChangeDto From(PlanChangeOutcome o)
    {
        var q = o.Quote;
        // A preview changes nothing, so the subscription still carries the old rate; after a change, the period charges it wrote carry it.
        var oldRate = o.Preview ? o.Subscription.Subscription.RateMinor
            : o.Charges.FirstOrDefault(c => c.Kind == SubscriptionChargeKind.PeriodCharge)?.AmountMinor ?? 0;
        var catchUp = q.CatchUp.Select(p => new CatchUpPeriodDto(p.Start, p.End, oldRate)).ToArray();
        return new(o.Preview, o.Subscription.Subscription.Id, new(o.OldPlan.Id, o.OldPlan.Code, o.OldPlan.Name), new(o.NewPlan.Id, o.NewPlan.Code, o.NewPlan.Name),
            q.Effective == PlanChangeEffective.Now ? "now" : "period_end", q.At,
            q.Rule switch { null => "trial", ProrationRule.SamePeriod => "same_period", _ => "new_period" },
            q.CreditMinor, q.ChargeMinor, q.NetMinor, q.Currency, q.PeriodStart, q.PeriodEnd,
            catchUp, catchUp.Sum(c => c.Amount) + q.NetMinor,
            o.Charges.Select(PendingChargeDto.From).ToArray(), SubscriptionDto.From(o.Subscription));
    }
}

/// <summary>A period at the old rate not invoiced before a plan change: [period_start, period_end), amount in cents.</summary>
public sealed record CatchUpPeriodDto(DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd, long Amount);

/// <summary>POST /api/v1/admin/plans/{id}/refresh body: unit cost (cents) and margin (basis points).</summary>
public sealed record RefreshCostRequest(long? UnitCost, int? MarginBps);

/// <summary>The answer to a cost refresh: the plan with its new price, and how many live subscriptions got the new rate.</summary>
public sealed record CostRefreshDto(PlanDto Plan, int SubscriptionsRefreshed);

/// <summary>POST /api/v1/admin/plans body (create, or update by service_slug + code).</summary>
public sealed record SavePlanRequest(string? ServiceSlug, string? Code, string? Name, long? Price, string? Currency, string? Interval, int? TrialDays,
    string? TrialEndBehavior, int? TermPeriods, long? UnitCost, int? MarginBps);

/// <summary>The issue-4 lifecycle endpoints: plan changes, pending charges, and the operator's plan and cost-plan writes.</summary>
public static class LifecycleEndpoints
{
    /// <summary>Maps the endpoints under /api/v1.</summary>
    public static void MapLifecycleApi(this RouteGroupBuilder api)
    {
        var subscriptions = api.MapGroup("/subscriptions").WithTags("Subscriptions");
        subscriptions.MapPost("/{id}/change-plan", ChangePlan).WithIdempotency().WithName("ChangePlan")
            .WithSummary("Change plan now (prorated) or at the period end; preview=true returns the amounts and changes nothing")
            .RequireAuthorization(Auth.AuthSetup.ChangePlanPolicy).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        subscriptions.MapGet("/{id}/pending-charges", PendingCharges).WithName("PendingCharges")
            .WithSummary("Charges and credits waiting for the tenant's next invoice").RequireAuthorization(Permissions.SubscriptionsRead)
            .ProducesProblem(StatusCodes.Status404NotFound);

        var admin = api.MapGroup("/admin").WithTags("Admin");
        admin.MapPost("/plans", SavePlan).WithName("SavePlan").WithSummary("Operator: create or update a plan (trial_end_behavior, term_periods, cost-plus)")
            .RequireAuthorization(Permissions.CatalogWrite).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        admin.MapPost("/plans/{id}/refresh", RefreshCostPlan).WithName("RefreshCostPlan")
            .WithSummary("Operator: recompute a cost-based plan's price from unit_cost and margin_bps and refresh its live subscriptions' rate")
            .RequireAuthorization(Permissions.CatalogWrite).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
    }

    /// <summary>POST /api/v1/subscriptions/{id}/change-plan.</summary>
    public static async Task<Ok<PlanChangeDto>> ChangePlan(string id, ChangePlanRequest? body, HttpContext http, PlanChangeService service, CancellationToken ct)
    {
        if (body is null)
        {
            throw new DomainValidationException("plan_id", "A JSON body with plan_id is required.");
        }

        var outcome = await service.ChangeAsync(http.User.ToActor(), id, body.PlanId, body.Effective, body.Preview ?? false, ct);
        return TypedResults.Ok(PlanChangeDto.From(outcome));
    }

    /// <summary>GET /api/v1/subscriptions/{id}/pending-charges.</summary>
    public static async Task<Ok<ListResponse<PendingChargeDto>>> PendingCharges(string id, HttpContext http, PlanChangeService service, CancellationToken ct) =>
        TypedResults.Ok(new ListResponse<PendingChargeDto>((await service.PendingChargesAsync(http.User.ToActor(), id, ct)).Select(PendingChargeDto.From).ToArray(), null));

    /// <summary>POST /api/v1/admin/plans.</summary>
    public static async Task<Ok<PlanDto>> SavePlan(SavePlanRequest? body, HttpContext http, PlanAdminService service, CancellationToken ct)
    {
        var b = body ?? throw new DomainValidationException("code", "A JSON body is required.");
        var plan = await service.SaveAsync(http.User.ToActor(), new PlanInput(b.ServiceSlug, b.Code, b.Name, b.Price, b.Currency, b.Interval, b.TrialDays,
            b.TrialEndBehavior, b.TermPeriods, b.UnitCost, b.MarginBps), ct);
        return TypedResults.Ok(PlanDto.From(plan));
    }

    /// <summary>POST /api/v1/admin/plans/{id}/refresh.</summary>
    public static async Task<Ok<CostRefreshDto>> RefreshCostPlan(string id, RefreshCostRequest? body, HttpContext http, PlanAdminService service, CancellationToken ct)
    {
        var result = await service.RefreshCostAsync(http.User.ToActor(), id, body?.UnitCost, body?.MarginBps, ct);
        return TypedResults.Ok(new CostRefreshDto(PlanDto.From(result.Plan), result.SubscriptionsRefreshed));
    }
}

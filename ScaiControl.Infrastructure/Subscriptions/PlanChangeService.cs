using Microsoft.EntityFrameworkCore;
using ScaiControl.Domain.Catalog;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Infrastructure.Subscriptions;

/// <summary>The result of a plan change or its preview: the quote (amounts in minor units), both plans, and the subscription after it (unchanged for a preview).</summary>
public sealed record PlanChangeOutcome(SubscriptionView Subscription, PlanChangeQuote Quote, Plan OldPlan, Plan NewPlan, bool Preview, IReadOnlyList<SubscriptionCharge> Charges);

/// <summary>
/// Plan changes (issue 4, POST /api/v1/subscriptions/{id}/change-plan): preview, change now with proration, or
/// schedule for the period end. The change, its pending charges and subscription.changed.v1 are one transaction.
/// Rules: docs/lifecycle.md.
/// </summary>
public sealed class PlanChangeService(ScaiDbFactory factory, SubscriptionService subscriptions, TimeProvider clock)
{
    /// <summary>
    /// Previews (<paramref name="preview"/> true: nothing changes) or performs a change of subscription
    /// <paramref name="id"/> to <paramref name="planId"/>, effective "now" (default) or "period_end", at the app clock.
    /// </summary>
    /// <exception cref="DomainValidationException">Missing/unknown plan_id or a bad effective (HTTP 422).</exception>
    /// <exception cref="NotFoundException">Unknown or another tenant's subscription.</exception>
    /// <exception cref="DomainConflictException">The state, the plan (same, other service, retired, other currency) or a pack forbids it (HTTP 409).</exception>
    public async Task<PlanChangeOutcome> ChangeAsync(Actor actor, string id, string? planId, string? effective, bool preview, CancellationToken ct = default)
    {
        if (!CanChangePlan(actor))
        {
            throw new UnauthorizedAccessException($"The permission '{Permissions.SubscriptionsWrite}' or '{Permissions.ScaiControlAdmin}' is required.");
        }

        // A plan-change service token reads back the subscription it changes (within its own partner or tenant scope).
        var reader = actor.Can(Permissions.SubscriptionsRead) ? actor : actor with { Scopes = [.. actor.Scopes, Permissions.SubscriptionsRead] };
        if (string.IsNullOrWhiteSpace(planId))
        {
            throw new DomainValidationException("plan_id", "plan_id is required.");
        }

        var when = effective switch
        {
            null or "now" => PlanChangeEffective.Now,
            "period_end" => PlanChangeEffective.PeriodEnd,
            _ => throw new DomainValidationException("effective", "effective must be 'now' or 'period_end'."),
        };

        await using var db = await factory.OpenAsync(actor, preview ? "preview plan change" : "change plan", ct);
        var subscription = await db.Subscriptions.SingleOrDefaultAsync(s => s.Id == id, ct) ?? throw new NotFoundException("subscription", id);
        var target = await db.Plans.AsNoTracking().SingleOrDefaultAsync(p => p.Id == planId, ct)
            ?? throw new DomainValidationException("plan_id", $"Plan '{planId}' was not found.");
        var current = await db.Plans.AsNoTracking().SingleAsync(p => p.Id == subscription.PlanId, ct);
        var now = clock.GetUtcNow();
        var quote = subscription.QuotePlanChange(current, target, when, now);
        if (preview)
        {
            return new PlanChangeOutcome(await subscriptions.GetAsync(reader, id, ct), quote, current, target, true, []);
        }

        var charges = subscription.ApplyPlanChange(quote, current, target, now);
        db.SubscriptionCharges.AddRange(charges);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            throw new DomainConflictException($"Subscription {id} was changed or billed at the same time; preview again and retry.",
                subscription.Status.WireName(), SubscriptionStateMachine.AllowedActions(subscription.Status).Select(a => a.WireName()).ToArray());
        }

        return new PlanChangeOutcome(await subscriptions.GetAsync(reader, id, ct), quote, current, target, false, charges);
    }

    /// <summary>
    /// True when <paramref name="actor"/> may change plans: subscriptions:write, or scaicontrol:admin (a plan-change
    /// service token). Either way only subscriptions inside the actor's partner or tenant scope are found.
    /// </summary>
    public static bool CanChangePlan(Actor actor) => actor.Can(Permissions.SubscriptionsWrite) || actor.Can(Permissions.ScaiControlAdmin);

    /// <summary>The pending (not yet invoiced) charges of a subscription, oldest first (within one change: catch-up periods, credit, charge).</summary>
    /// <exception cref="NotFoundException">Unknown or another tenant's subscription.</exception>
    public async Task<IReadOnlyList<SubscriptionCharge>> PendingChargesAsync(Actor actor, string id, CancellationToken ct = default)
    {
        _ = await subscriptions.GetAsync(actor, id, ct);
        await using var db = await factory.OpenAsync(actor, "read pending charges", ct);
        var rows = await db.SubscriptionCharges.AsNoTracking().Where(c => c.SubscriptionId == id && c.InvoiceId == null).ToListAsync(ct);
        // In the order a plan change writes them: catch-up periods, the credit, the charge.
        static int Rank(SubscriptionChargeKind kind) => kind switch
        {
            SubscriptionChargeKind.PeriodCharge => 0,
            SubscriptionChargeKind.ProrationCredit => 1,
            _ => 2,
        };
        return rows.OrderBy(c => c.CreatedAt).ThenBy(c => Rank(c.Kind)).ThenBy(c => c.PeriodStart).ThenBy(c => c.Id, StringComparer.Ordinal).ToList();
    }
}

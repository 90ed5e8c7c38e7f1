using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Infrastructure.Persistence;

namespace ScaiControl.Infrastructure.Subscriptions;

/// <summary>
/// Subscriptions:PastDueGraceDays (default 14): how long a subscription stays past_due before it is suspended.
/// Subscriptions:TrialEndingNoticeDays (default 3): how many days before the trial end subscription.trial_ending.v1 is emitted.
/// </summary>
public sealed class SubscriptionLifecycleOptions
{
    public int PastDueGraceDays { get; set; } = 14;

    public int TrialEndingNoticeDays { get; set; } = 3;
}

/// <summary>What one reaper pass did: transitions by kind (Expired counts trials that expired and fixed terms that ended; Changed counts scheduled plan changes applied).</summary>
public sealed record ReaperResult(int Cancelled, int Activated, int Suspended, int Skipped, int Expired = 0, int Changed = 0);

/// <summary>
/// The subscription reaper (spec 000 background worker): moves due subscriptions on at a given clock —
/// cancelling → cancelled once the period has ended, a scheduled plan change at its time, trialing → active or
/// expired at the trial end (per the plan's trial_end_behavior), a fixed term → expired at its end, past_due →
/// suspended after the grace period. Each transition is saved on its own with its outbox event; the subscription's UpdatedAt is a
/// concurrency token, so when two nodes reap at the same moment each transition (and its event) happens once and the
/// loser skips. Idempotent, and it catches up after downtime (anything due before <c>now</c> is moved).
/// </summary>
/// <remarks>Pack children are left to the pack pass (<see cref="Packs.PackSubscriptionReaper"/>), which moves a pack and all its children together.</remarks>
public sealed class SubscriptionReaper(ScaiDbFactory factory, SubscriptionLifecycleOptions options, ILogger<SubscriptionReaper> logger, Packs.PackSubscriptionReaper packs)
{
    /// <summary>Most passes one run makes (a chain after long downtime is at most trial end → activation → term end).</summary>
    public const int MaxPasses = 5;

    /// <summary>
    /// Moves everything due at <paramref name="now"/> (UTC): passes repeat while one moved something, so a chain that
    /// fell due during downtime (a trial that ended and the fixed term that followed it) is caught up in one run.
    /// Returns the summed counts.
    /// </summary>
    public async Task<ReaperResult> RunAsync(DateTimeOffset now, CancellationToken ct = default)
    {
        await RollPeriodsAsync(now, ct);
        var total = new ReaperResult(0, 0, 0, 0, 0, 0);
        for (var pass = 0; pass < MaxPasses; pass++)
        {
            var r = await RunPassAsync(now, ct);
            total = new ReaperResult(total.Cancelled + r.Cancelled, total.Activated + r.Activated, total.Suspended + r.Suspended,
                total.Skipped + r.Skipped, total.Expired + r.Expired, total.Changed + r.Changed);
            if (r.Cancelled + r.Activated + r.Suspended + r.Expired + r.Changed == 0)
            {
                break;
            }
        }

        return total;
    }

    /// <summary>Moves the stored current period of active and past_due subscriptions whose period has ended (no event; see Subscription.RollCurrentPeriod).</summary>
    private async Task RollPeriodsAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var probe = factory.ForPlatform("system:reaper");
        // Subscriptions carry the tenant filter; the probe only needs to know whether there is anything to do.
        if (!await probe.Subscriptions.IgnoreQueryFilters().AnyAsync(s => (s.Status == SubscriptionStatus.Active || s.Status == SubscriptionStatus.PastDue)
                && s.PackSubscriptionId == null && s.CurrentPeriodEnd <= now && s.BillingAnchor <= now, ct))
        {
            return;
        }

        await using var db = await factory.ForSystemAsync("reaper", ct);
        var stale = await db.Subscriptions.Where(s => (s.Status == SubscriptionStatus.Active || s.Status == SubscriptionStatus.PastDue)
                && s.PackSubscriptionId == null && s.CurrentPeriodEnd <= now && s.BillingAnchor <= now).Take(500).ToListAsync(ct);
        foreach (var subscription in stale)
        {
            subscription.RollCurrentPeriod(now);
        }

        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Another node moved or changed some of them meanwhile; the next run rolls whatever is still behind.
            logger.LogInformation("Rolling current periods raced with another writer; left to the next run");
        }
    }

    private async Task<ReaperResult> RunPassAsync(DateTimeOffset now, CancellationToken ct)
    {
        var graceStart = now.AddDays(-options.PastDueGraceDays);
        List<string> due;
        await using (var db = await factory.ForSystemAsync("reaper", ct))
        {
            due = await db.Subscriptions.AsNoTracking()
                .Where(s => s.PackSubscriptionId == null)
                .Where(s => (s.Status == SubscriptionStatus.Cancelling && s.CurrentPeriodEnd <= now)
                            || (s.Status == SubscriptionStatus.Trialing && s.TrialEnd <= now)
                            || (s.Status == SubscriptionStatus.PastDue && s.UpdatedAt <= graceStart)
                            || ((s.Status == SubscriptionStatus.Active || s.Status == SubscriptionStatus.Trialing) && s.ScheduledPlanId != null && s.ScheduledPlanAt <= now)
                            || ((s.Status == SubscriptionStatus.Active || s.Status == SubscriptionStatus.PastDue || s.Status == SubscriptionStatus.Cancelling) && s.TermEnd <= now))
                .OrderBy(s => s.Id).Select(s => s.Id).ToListAsync(ct);
        }

        int cancelled = 0, activated = 0, suspended = 0, skipped = 0, expired = 0, changed = 0;
        foreach (var id in due)
        {
            await using var db = await factory.ForSystemAsync("reaper", ct);
            // One retriable unit (re-read, decide, save with the UpdatedAt token): on Galera a transition that collides
            // with another node's fails at COMMIT and runs again, then finds the subscription moved on and skips.
            var t = await RetriableUnits.RunAsync(db, "reaper-transition", (_, token) => TransitionAsync(db, id, now, graceStart, token), ct);
            changed += t.Applied ? 1 : 0;
            if (t.Skipped)
            {
                skipped++;
                continue;
            }

            switch (t.NewStatus)
            {
                case null: break; // saved (a scheduled change), same status
                case SubscriptionStatus.Cancelled: cancelled++; break;
                case SubscriptionStatus.Active: activated++; break;
                case SubscriptionStatus.Expired: expired++; break;
                default: suspended++; break;
            }
        }

        var packPass = await packs.RunAsync(now, ct);
        return new ReaperResult(cancelled + packPass.Cancelled, activated, suspended, skipped + packPass.Skipped, expired, changed);
    }
    /// <summary>What one transition did: skipped (moved on by someone else), the new status when it changed, whether a scheduled plan change was applied.</summary>
    private readonly record struct Transition(bool Skipped, SubscriptionStatus? NewStatus, bool Applied);

    private async Task<Transition> TransitionAsync(ScaiDbContext db, string id, DateTimeOffset now, DateTimeOffset graceStart, CancellationToken ct)
    {
        var subscription = await db.Subscriptions.SingleAsync(s => s.Id == id, ct);
        var plan = await db.Plans.AsNoTracking().SingleAsync(p => p.Id == subscription.PlanId, ct);
        var before = subscription.Status;
        var moved = false;
        var applied = false;
        // A scheduled plan change comes first: it happens at its time, before the next period is billed and before
        // a trial ending at the same moment is judged by the (new) plan's trial_end_behavior.
        if (subscription.Status is SubscriptionStatus.Active or SubscriptionStatus.Trialing
            && subscription.ScheduledPlanId is { } scheduledId && subscription.ScheduledPlanAt <= now)
        {
            var target = await db.Plans.AsNoTracking().SingleAsync(p => p.Id == scheduledId, ct);
            try
            {
                db.SubscriptionCharges.AddRange(subscription.ApplyScheduledPlanChange(plan, target, now));
                plan = target;
                applied = true;
            }
            catch (DomainException e)
            {
                logger.LogWarning("Scheduled plan change of {Id} to {Plan} dropped: {Reason}", id, target.Code, e.Message);
                subscription.DropScheduledPlanChange(now);
            }

            moved = true;
        }

        switch (subscription.Status)
        {
            case SubscriptionStatus.Cancelling when subscription.CurrentPeriodEnd <= now:
                subscription.Cancel(now, null);
                break;
            case SubscriptionStatus.Trialing when subscription.TrialEnd <= now:
                subscription.EndTrial(plan, subscription.TrialEnd!.Value);
                break;
            case SubscriptionStatus.Active or SubscriptionStatus.PastDue or SubscriptionStatus.Cancelling when subscription.TermEnd <= now:
                subscription.ExpireTerm(subscription.TermEnd!.Value);
                break;
            case SubscriptionStatus.PastDue when subscription.UpdatedAt <= graceStart:
                subscription.Suspend(now, $"Payment overdue for more than {options.PastDueGraceDays} days.");
                break;
            default:
                if (!moved)
                {
                    return new Transition(true, null, false); // moved on by someone else since the query
                }

                break;
        }

        try
        {
            await db.SaveChangesAsync(ct);
            return new Transition(false, subscription.Status == before ? null : subscription.Status, applied);
        }
        catch (DbUpdateException e) when (e is DbUpdateConcurrencyException || e.InnerException is not MySqlConnector.MySqlException { Number: 1213 or 1205 })
        {
            // DbUpdateConcurrencyException (UpdatedAt token), or a unique billing key of a catch-up charge. A Galera
            // conflict (1213) is not caught here: the strategy runs the whole transition again.
            logger.LogInformation("Subscription {Id} was moved by another reaper; skipped", id);
            return new Transition(true, null, false);
        }
    }
}

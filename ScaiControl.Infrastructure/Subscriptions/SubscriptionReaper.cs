using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Infrastructure.Persistence;

namespace ScaiControl.Infrastructure.Subscriptions;

/// <summary>Subscriptions:PastDueGraceDays (default 14): how long a subscription stays past_due before it is suspended.</summary>
public sealed class SubscriptionLifecycleOptions
{
    public int PastDueGraceDays { get; set; } = 14;
}

/// <summary>What one reaper pass did.</summary>
public sealed record ReaperResult(int Cancelled, int Activated, int Suspended, int Skipped);

/// <summary>
/// The subscription reaper (spec 000 background worker): moves due subscriptions on at a given clock —
/// cancelling → cancelled once the period has ended, trialing → active at the trial end, past_due → suspended after
/// the grace period. Each transition is saved on its own with its outbox event; the subscription's UpdatedAt is a
/// concurrency token, so when two nodes reap at the same moment each transition (and its event) happens once and the
/// loser skips. Idempotent, and it catches up after downtime (anything due before <c>now</c> is moved).
/// </summary>
/// <remarks>Pack children are left to the pack pass (<see cref="Packs.PackSubscriptionReaper"/>), which moves a pack and all its children together.</remarks>
public sealed class SubscriptionReaper(ScaiDbFactory factory, SubscriptionLifecycleOptions options, ILogger<SubscriptionReaper> logger, Packs.PackSubscriptionReaper packs)
{
    /// <summary>One pass at <paramref name="now"/> (UTC).</summary>
    public async Task<ReaperResult> RunAsync(DateTimeOffset now, CancellationToken ct = default)
    {
        var graceStart = now.AddDays(-options.PastDueGraceDays);
        List<string> due;
        await using (var db = await factory.ForSystemAsync("reaper", ct))
        {
            due = await db.Subscriptions.AsNoTracking()
                .Where(s => s.PackSubscriptionId == null)
                .Where(s => (s.Status == SubscriptionStatus.Cancelling && s.CurrentPeriodEnd <= now)
                            || (s.Status == SubscriptionStatus.Trialing && s.TrialEnd <= now)
                            || (s.Status == SubscriptionStatus.PastDue && s.UpdatedAt <= graceStart))
                .OrderBy(s => s.Id).Select(s => s.Id).ToListAsync(ct);
        }

        int cancelled = 0, activated = 0, suspended = 0, skipped = 0;
        foreach (var id in due)
        {
            await using var db = await factory.ForSystemAsync("reaper", ct);
            var subscription = await db.Subscriptions.SingleAsync(s => s.Id == id, ct);
            switch (subscription.Status)
            {
                case SubscriptionStatus.Cancelling when subscription.CurrentPeriodEnd <= now:
                    subscription.Cancel(now, null);
                    break;
                case SubscriptionStatus.Trialing when subscription.TrialEnd <= now:
                    subscription.Activate(subscription.TrialEnd!.Value);
                    break;
                case SubscriptionStatus.PastDue when subscription.UpdatedAt <= graceStart:
                    subscription.Suspend(now, $"Payment overdue for more than {options.PastDueGraceDays} days.");
                    break;
                default:
                    skipped++; // moved on by someone else since the query
                    continue;
            }

            try
            {
                await db.SaveChangesAsync(ct);
                switch (subscription.Status)
                {
                    case SubscriptionStatus.Cancelled: cancelled++; break;
                    case SubscriptionStatus.Active: activated++; break;
                    default: suspended++; break;
                }
            }
            catch (DbUpdateConcurrencyException)
            {
                logger.LogInformation("Subscription {Id} was moved by another reaper; skipped", id);
                skipped++;
            }
        }

        var packPass = await packs.RunAsync(now, ct);
        return new ReaperResult(cancelled + packPass.Cancelled, activated, suspended, skipped + packPass.Skipped);
    }
}

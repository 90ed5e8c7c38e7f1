using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using ScaiControl.Domain.Events;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Persistence.Interceptors;

namespace ScaiControl.Infrastructure.Subscriptions;

/// <summary>What one notifier pass did: notices emitted, and candidates another node announced first.</summary>
public sealed record TrialNotifierResult(int Notified, int Skipped);

/// <summary>
/// The trial-ending notifier (issue 4): emits subscription.trial_ending.v1 once per trialing subscription whose
/// trial ends within Subscriptions:TrialEndingNoticeDays (default 3) days. The once is a conditional UPDATE
/// (... SET trial_ending_notified_at = now WHERE id = ? AND trial_ending_notified_at IS NULL AND status = 'Trialing')
/// in the same transaction as the outbox row: of two nodes running at the same moment only one updates the row
/// (PostgreSQL re-checks the condition after the row lock; SQLite has one writer), the other writes nothing.
/// There is no e-mail system yet: the outbox event is the hook an e-mail sender will subscribe to.
/// </summary>
public sealed class TrialEndingNotifier(ScaiDbFactory factory, SubscriptionLifecycleOptions options)
{
    /// <summary>One pass at <paramref name="now"/> (UTC). Catches up: a trial that is due but not yet over is announced late rather than never.</summary>
    public async Task<TrialNotifierResult> RunAsync(DateTimeOffset now, CancellationToken ct = default)
    {
        var horizon = now.AddDays(options.TrialEndingNoticeDays);
        List<string> due;
        await using (var db = await factory.ForSystemAsync("trial-notifier", ct))
        {
            due = await db.Subscriptions.AsNoTracking()
                .Where(s => s.Status == SubscriptionStatus.Trialing && s.TrialEndingNotifiedAt == null && s.TrialEnd <= horizon && s.TrialEnd > now)
                .OrderBy(s => s.Id).Select(s => s.Id).ToListAsync(ct);
        }

        int notified = 0, skipped = 0;
        foreach (var id in due)
        {
            await using var db = await factory.ForSystemAsync("trial-notifier", ct);
            // One retriable unit (claim + event in one transaction): on Galera a claim that collides with another
            // node's fails at COMMIT and runs again, then finds the notice taken.
            var won = await RetriableUnits.RunAsync(db, "trial-notice", async (_, token) =>
            {
                await using var tx = await db.Database.BeginTransactionAsync(token);
                var claimed = await db.Subscriptions
                    .Where(s => s.Id == id && s.TrialEndingNotifiedAt == null && s.Status == SubscriptionStatus.Trialing)
                    .ExecuteUpdateAsync(u => u.SetProperty(s => s.TrialEndingNotifiedAt, now), token);
                if (claimed == 0)
                {
                    return false;
                }

                var subscription = await db.Subscriptions.AsNoTracking().SingleAsync(s => s.Id == id, token);
                var notice = subscription.TrialEndingEvent(now);
                db.OutboxEvents.Add(new OutboxEvent(notice, JsonSerializer.Serialize(notice.Payload, AuditAndOutboxInterceptor.Json)));
                await db.SaveChangesAsync(token);
                await tx.CommitAsync(token);
                return true;
            }, ct);
            if (won)
            {
                notified++;
            }
            else
            {
                skipped++;
            }
        }

        return new TrialNotifierResult(notified, skipped);
    }
}

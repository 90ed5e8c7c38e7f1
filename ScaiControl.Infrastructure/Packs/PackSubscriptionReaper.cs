using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Infrastructure.Persistence;

namespace ScaiControl.Infrastructure.Packs;

/// <summary>What one pack pass of the reaper did: pack subscriptions cancelled (with their children) and skipped.</summary>
public sealed record PackReaperResult(int Cancelled, int Skipped);

/// <summary>
/// The pack pass of the subscription reaper (run by <see cref="Subscriptions.SubscriptionReaper"/>): a cancelling
/// pack subscription whose period has ended becomes cancelled together with all its children, in one transaction
/// with its pack_subscription.cancelled.v1 event. The parent's and children's UpdatedAt are concurrency tokens, so
/// when two nodes reap at the same moment the loser's whole transaction fails and it skips: each pack is cancelled
/// (and its event written) exactly once. Catches up after downtime (everything due before now is moved).
/// </summary>
public sealed class PackSubscriptionReaper(ScaiDbFactory factory, ILogger<PackSubscriptionReaper> logger)
{
    /// <summary>One pass at <paramref name="now"/> (UTC).</summary>
    public async Task<PackReaperResult> RunAsync(DateTimeOffset now, CancellationToken ct = default)
    {
        List<string> due;
        await using (var db = await factory.ForSystemAsync("reaper", ct))
        {
            due = await db.PackSubscriptions.AsNoTracking()
                .Where(p => p.Status == SubscriptionStatus.Cancelling && p.CurrentPeriodEnd <= now)
                .OrderBy(p => p.Id).Select(p => p.Id).ToListAsync(ct);
        }

        int cancelled = 0, skipped = 0;
        foreach (var id in due)
        {
            await using var db = await factory.ForSystemAsync("reaper", ct);
            // One retriable unit (re-read, decide, save): on Galera a transition that collides with another node's
            // fails at COMMIT and runs again, then finds the pack moved on.
            var moved = await RetriableUnits.RunAsync(db, "reaper-transition", async (_, token) =>
            {
                var parent = await db.PackSubscriptions.SingleAsync(p => p.Id == id, token);
                if (parent.Status != SubscriptionStatus.Cancelling || parent.CurrentPeriodEnd > now)
                {
                    return false; // moved on by someone else since the query
                }

                var children = await db.Subscriptions.Where(s => s.PackSubscriptionId == id).OrderBy(s => s.Id).ToListAsync(token);
                parent.Cancel(children, now, null);
                try
                {
                    await db.SaveChangesAsync(token);
                    return true;
                }
                catch (DbUpdateConcurrencyException)
                {
                    logger.LogInformation("Pack subscription {Id} was moved by another reaper; skipped", id);
                    return false;
                }
            }, ct);
            if (moved)
            {
                cancelled++;
            }
            else
            {
                skipped++;
            }
        }

        return new PackReaperResult(cancelled, skipped);
    }
}

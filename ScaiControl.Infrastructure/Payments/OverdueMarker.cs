using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Quartz;
using ScaiControl.Domain.Payments;
using ScaiControl.Infrastructure.Persistence;

namespace ScaiControl.Infrastructure.Payments;

/// <summary>
/// Marks invoices overdue: every open or partially paid invoice whose due date (BT-9) lies before today (UTC)
/// becomes overdue and emits invoice.overdue.v1, once. Safe on several nodes: each account is saved on its own and
/// its Version is a concurrency token, so when two nodes mark the same invoice at the same moment one save wins and
/// the other skips (no second event). Catches up after downtime; idempotent.
/// </summary>
public sealed class OverdueMarker(ScaiDbFactory factory, ILogger<OverdueMarker> logger)
{
    /// <summary>Most accounts one pass looks at (the next run takes the rest).</summary>
    public const int Batch = 500;

    /// <summary>Marks what is overdue at <paramref name="now"/>; returns how many were marked.</summary>
    public async Task<int> RunAsync(DateTimeOffset now, CancellationToken ct = default)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        await using var db = await factory.ForSystemAsync("overdue", ct);
        var due = await db.Set<InvoiceAccount>()
            .Where(a => (a.Status == InvoicePaymentStatus.Open || a.Status == InvoicePaymentStatus.PartiallyPaid) && a.OverdueAt == null && a.DueDate < today)
            .OrderBy(a => a.DueDate).Take(Batch).Select(a => a.InvoiceId).ToListAsync(ct);
        var marked = 0;
        foreach (var id in due)
        {
            db.ChangeTracker.Clear();
            var account = await db.Set<InvoiceAccount>().SingleAsync(a => a.InvoiceId == id, ct);
            if (!account.MarkOverdue(today, now))
            {
                continue;
            }

            try
            {
                await db.SaveChangesAsync(ct);
                marked++;
            }
            catch (DbUpdateConcurrencyException)
            {
                logger.LogInformation("Invoice {InvoiceId} changed while being marked overdue (another node or a payment); skipped", id);
            }
        }

        return marked;
    }
}

/// <summary>The overdue marker on its schedule (every 15 minutes).</summary>
[DisallowConcurrentExecution]
public sealed class OverdueJob(OverdueMarker marker, TimeProvider clock) : IJob
{
    /// <inheritdoc/>
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await marker.RunAsync(clock.GetUtcNow(), cancellationToken);
}

using Microsoft.EntityFrameworkCore;
using ScaiControl.Domain.Webhooks;
using ScaiControl.Infrastructure.Persistence;

namespace ScaiControl.Infrastructure.Webhooks;

/// <summary>
/// One provider's claim of due webhook deliveries: up to <c>batch</c> Pending rows with NextAttemptAt &lt;= now, oldest
/// first, leased until <c>until</c> (NextAttemptAt moved), in one transaction so two dispatchers never hold the same row.
/// Called inside <see cref="RetriableUnits.RunAsync{T}"/> (one retriable unit: on Galera a claim that collides with
/// another node's fails at COMMIT and is run again, seeing the other node's lease).
/// </summary>
public interface IDeliveryClaim
{
    /// <summary>Claims and returns the rows (as they were before the lease moved NextAttemptAt).</summary>
    Task<List<WebhookDelivery>> ClaimAsync(ScaiDbContext db, DateTimeOffset now, DateTimeOffset until, int batch, CancellationToken ct);
}

/// <summary>The claim for each provider.</summary>
public static class DeliveryClaims
{
    private static readonly IDeliveryClaim Sqlite = new SqliteDeliveryClaim();
    private static readonly IDeliveryClaim Postgres = new PostgresDeliveryClaim();
    private static readonly IDeliveryClaim MariaDb = new MariaDbDeliveryClaim();

    /// <summary>The claim for <paramref name="db"/>'s provider.</summary>
    public static IDeliveryClaim For(ScaiDbContext db) => db switch
    {
        PostgresScaiDbContext => Postgres,
        MariaDbScaiDbContext => MariaDb,
        _ => Sqlite,
    };
}

/// <summary>
/// SQLite: one writer at a time, so a single UPDATE ... RETURNING claims the whole batch atomically (one statement,
/// one commit; a row per UPDATE made the claim the dispatcher's largest cost, docs/benchmarks.md). Times are compared
/// as the fixed-width UTC text the SQLite model stores (<see cref="UtcIsoTextConverter"/>).
/// </summary>
public sealed class SqliteDeliveryClaim : IDeliveryClaim
{
    /// <inheritdoc/>
    public async Task<List<WebhookDelivery>> ClaimAsync(ScaiDbContext db, DateTimeOffset now, DateTimeOffset until, int batch, CancellationToken ct)
    {
        var text = new UtcIsoTextConverter();
        var nowText = (string)text.ConvertToProvider(now)!;
        var untilText = (string)text.ConvertToProvider(until)!;
        var status = nameof(WebhookDeliveryStatus.Pending);
        return await db.WebhookDeliveries.FromSqlInterpolated(
            $"""
             UPDATE webhook_deliveries SET "NextAttemptAt" = {untilText}
             WHERE "Id" IN (SELECT "Id" FROM webhook_deliveries WHERE "Status" = {status} AND "NextAttemptAt" <= {nowText} ORDER BY "NextAttemptAt" LIMIT {batch})
             RETURNING *
             """).AsNoTracking().ToListAsync(ct);
    }
}

/// <summary>PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED, then the lease UPDATE, in one transaction.</summary>
public sealed class PostgresDeliveryClaim : IDeliveryClaim
{
    /// <inheritdoc/>
    public async Task<List<WebhookDelivery>> ClaimAsync(ScaiDbContext db, DateTimeOffset now, DateTimeOffset until, int batch, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var pending = nameof(WebhookDeliveryStatus.Pending);
        var rows = await db.WebhookDeliveries.FromSqlInterpolated(
            $"""SELECT * FROM webhook_deliveries WHERE "Status" = {pending} AND "NextAttemptAt" <= {now} ORDER BY "NextAttemptAt" LIMIT {batch} FOR UPDATE SKIP LOCKED""")
            .AsNoTracking().ToListAsync(ct);
        await LeaseAsync(db, rows, until, ct);
        await tx.CommitAsync(ct);
        return rows;
    }

    internal static async Task LeaseAsync(ScaiDbContext db, List<WebhookDelivery> rows, DateTimeOffset until, CancellationToken ct)
    {
        var ids = rows.Select(r => r.Id).ToList();
        if (ids.Count > 0)
        {
            await db.WebhookDeliveries.Where(d => ids.Contains(d.Id)).ExecuteUpdateAsync(s => s.SetProperty(d => d.NextAttemptAt, until), ct);
        }
    }
}

/// <summary>
/// MariaDB (10.6+): SELECT ... FOR UPDATE SKIP LOCKED, then the lease UPDATE, in one transaction. The row locks are
/// local to a Galera node; a second node claiming the same rows loses at COMMIT (error 1213) and claims again.
/// The times are passed as UTC DateTime, as the MariaDB model stores them (<see cref="UtcDateTimeConverter"/>).
/// </summary>
public sealed class MariaDbDeliveryClaim : IDeliveryClaim
{
    /// <inheritdoc/>
    public async Task<List<WebhookDelivery>> ClaimAsync(ScaiDbContext db, DateTimeOffset now, DateTimeOffset until, int batch, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var pending = nameof(WebhookDeliveryStatus.Pending);
        var nowUtc = now.UtcDateTime;
        var rows = await db.WebhookDeliveries.FromSqlInterpolated(
            $"SELECT * FROM webhook_deliveries WHERE `Status` = {pending} AND `NextAttemptAt` <= {nowUtc} ORDER BY `NextAttemptAt` LIMIT {batch} FOR UPDATE SKIP LOCKED")
            .AsNoTracking().ToListAsync(ct);
        await PostgresDeliveryClaim.LeaseAsync(db, rows, until, ct);
        await tx.CommitAsync(ct);
        return rows;
    }
}

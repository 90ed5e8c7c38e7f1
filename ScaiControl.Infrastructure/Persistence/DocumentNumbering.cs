using Microsoft.EntityFrameworkCore;

namespace ScaiControl.Infrastructure.Persistence;

/// <summary>
/// Takes the next number of a gap-free series (seller, series, year) INSIDE the caller's transaction, through the
/// provider's <see cref="IDocumentNumberAllocator"/>. Rolled back with the transaction, so a failed finalisation
/// leaves no gap. No number ever comes from an identity / auto_increment column (on Galera those interleave between nodes).
/// </summary>
public static class DocumentNumbering
{
    private static readonly IDocumentNumberAllocator Sqlite = new SqliteDocumentNumberAllocator();
    private static readonly IDocumentNumberAllocator Postgres = new PostgresDocumentNumberAllocator();
    private static readonly IDocumentNumberAllocator MariaDb = new MariaDbDocumentNumberAllocator();

    /// <summary>The allocator for <paramref name="db"/>'s provider.</summary>
    public static IDocumentNumberAllocator For(ScaiDbContext db) => db switch
    {
        PostgresScaiDbContext => Postgres,
        MariaDbScaiDbContext => MariaDb,
        _ => Sqlite,
    };

    /// <summary>Returns the next sequence value (1, 2, ...) of the series.</summary>
    /// <exception cref="InvalidOperationException">No transaction is open on <paramref name="db"/>.</exception>
    public static Task<long> NextAsync(ScaiDbContext db, string partnerId, string series, int year, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Invoice numbers are only assigned inside the finalisation transaction.");
        }

        return For(db).ReserveAsync(db, partnerId, series, year, 1, ct);
    }

    /// <summary>
    /// Takes <paramref name="count"/> consecutive numbers of the series at once (the billing run's batch, one counter
    /// round trip for the batch) and returns the first; the batch uses first .. first + count - 1. Rolled back with the
    /// transaction like <see cref="NextAsync"/>, so a batch that fails leaves no gap.
    /// </summary>
    /// <exception cref="InvalidOperationException">No transaction is open on <paramref name="db"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is below 1.</exception>
    public static Task<long> ReserveAsync(ScaiDbContext db, string partnerId, string series, int year, int count, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Invoice numbers are only assigned inside the finalisation transaction.");
        }

        return For(db).ReserveAsync(db, partnerId, series, year, count, ct);
    }
}

/// <summary>One provider's way to take the next value of a (seller, series, year) counter row inside the open transaction.</summary>
public interface IDocumentNumberAllocator
{
    /// <summary>Creates the counter row when missing, locks it for the transaction, and returns its value + 1 (stored).</summary>
    Task<long> NextAsync(ScaiDbContext db, string partnerId, string series, int year, CancellationToken ct) => ReserveAsync(db, partnerId, series, year, 1, ct);

    /// <summary>Like <see cref="NextAsync"/> for <paramref name="count"/> numbers: stores value + count and returns value + 1, the first of them.</summary>
    Task<long> ReserveAsync(ScaiDbContext db, string partnerId, string series, int year, int count, CancellationToken ct);
}

/// <summary>SQLite: the write transaction serialises writers (the first statement is a write, so the database lock is held from the start).</summary>
public sealed class SqliteDocumentNumberAllocator : IDocumentNumberAllocator
{
    /// <inheritdoc/>
    public async Task<long> ReserveAsync(ScaiDbContext db, string partnerId, string series, int year, int count, CancellationToken ct)
    {
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"""INSERT OR IGNORE INTO document_sequences ("PartnerId", "Series", "Year", "LastValue") VALUES ({partnerId}, {series}, {year}, 0)""", ct);
        var current = await db.Database.SqlQuery<long>(
            $"""SELECT "LastValue" AS "Value" FROM document_sequences WHERE "PartnerId" = {partnerId} AND "Series" = {series} AND "Year" = {year}""").SingleAsync(ct);
        var next = current + count;
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"""UPDATE document_sequences SET "LastValue" = {next} WHERE "PartnerId" = {partnerId} AND "Series" = {series} AND "Year" = {year}""", ct);
        return current + 1;
    }
}

/// <summary>PostgreSQL: the counter row is locked with SELECT ... FOR UPDATE.</summary>
public sealed class PostgresDocumentNumberAllocator : IDocumentNumberAllocator
{
    /// <inheritdoc/>
    public async Task<long> ReserveAsync(ScaiDbContext db, string partnerId, string series, int year, int count, CancellationToken ct)
    {
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"""INSERT INTO document_sequences ("PartnerId", "Series", "Year", "LastValue") VALUES ({partnerId}, {series}, {year}, 0) ON CONFLICT DO NOTHING""", ct);
        var current = await db.Database.SqlQuery<long>(
            $"""SELECT "LastValue" AS "Value" FROM document_sequences WHERE "PartnerId" = {partnerId} AND "Series" = {series} AND "Year" = {year} FOR UPDATE""").SingleAsync(ct);
        var next = current + count;
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"""UPDATE document_sequences SET "LastValue" = {next} WHERE "PartnerId" = {partnerId} AND "Series" = {series} AND "Year" = {year}""", ct);
        return current + 1;
    }
}

/// <summary>
/// MariaDB: the counter row is locked with SELECT ... FOR UPDATE (a locking read sees the latest committed value).
/// The row is created (INSERT IGNORE) only when that read finds none: an INSERT IGNORE that meets an existing row takes
/// a shared lock on it, and upgrading that to the exclusive lock deadlocks concurrent finalisations. On Galera the row
/// lock is local to the node: a finalisation on another node that took the same number fails certification at COMMIT
/// with error 1213, and the whole finalisation runs again (<see cref="RetriableUnits"/>).
/// </summary>
public sealed class MariaDbDocumentNumberAllocator : IDocumentNumberAllocator
{
    /// <inheritdoc/>
    public async Task<long> ReserveAsync(ScaiDbContext db, string partnerId, string series, int year, int count, CancellationToken ct)
    {
        var current = await LockAsync(db, partnerId, series, year, ct);
        if (current is null)
        {
            await db.Database.ExecuteSqlInterpolatedAsync(
                $"INSERT IGNORE INTO document_sequences (`PartnerId`, `Series`, `Year`, `LastValue`) VALUES ({partnerId}, {series}, {year}, 0)", ct);
            current = await LockAsync(db, partnerId, series, year, ct) ?? throw new InvalidOperationException($"The number series {series}/{year} of {partnerId} could not be created.");
        }

        var next = current.Value + count;
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"UPDATE document_sequences SET `LastValue` = {next} WHERE `PartnerId` = {partnerId} AND `Series` = {series} AND `Year` = {year}", ct);
        return current.Value + 1;
    }

    private static async Task<long?> LockAsync(ScaiDbContext db, string partnerId, string series, int year, CancellationToken ct) =>
        (await db.Database.SqlQuery<long>(
            $"SELECT `LastValue` AS `Value` FROM document_sequences WHERE `PartnerId` = {partnerId} AND `Series` = {series} AND `Year` = {year} FOR UPDATE").ToListAsync(ct))
        .Cast<long?>().SingleOrDefault();
}

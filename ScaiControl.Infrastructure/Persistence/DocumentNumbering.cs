using Microsoft.EntityFrameworkCore;

namespace ScaiControl.Infrastructure.Persistence;

/// <summary>
/// Takes the next number of a gap-free series (seller, series, year) INSIDE the caller's transaction: on PostgreSQL
/// the counter row is locked with SELECT ... FOR UPDATE; on SQLite the write transaction serialises writers (the
/// first statement is a write, so the database lock is held from the start). Rolled back with the transaction, so a
/// failed finalisation leaves no gap.
/// </summary>
public static class DocumentNumbering
{
    /// <summary>Returns the next sequence value (1, 2, ...) of the series.</summary>
    /// <exception cref="InvalidOperationException">No transaction is open on <paramref name="db"/>.</exception>
    public static async Task<long> NextAsync(ScaiDbContext db, string partnerId, string series, int year, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Invoice numbers are only assigned inside the finalisation transaction.");
        }

        long current;
        if (db is PostgresScaiDbContext)
        {
            await db.Database.ExecuteSqlInterpolatedAsync(
                $"""INSERT INTO document_sequences ("PartnerId", "Series", "Year", "LastValue") VALUES ({partnerId}, {series}, {year}, 0) ON CONFLICT DO NOTHING""", ct);
            current = await db.Database.SqlQuery<long>(
                $"""SELECT "LastValue" AS "Value" FROM document_sequences WHERE "PartnerId" = {partnerId} AND "Series" = {series} AND "Year" = {year} FOR UPDATE""").SingleAsync(ct);
        }
        else
        {
            await db.Database.ExecuteSqlInterpolatedAsync(
                $"""INSERT OR IGNORE INTO document_sequences ("PartnerId", "Series", "Year", "LastValue") VALUES ({partnerId}, {series}, {year}, 0)""", ct);
            current = await db.Database.SqlQuery<long>(
                $"""SELECT "LastValue" AS "Value" FROM document_sequences WHERE "PartnerId" = {partnerId} AND "Series" = {series} AND "Year" = {year}""").SingleAsync(ct);
        }

        var next = current + 1;
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"""UPDATE document_sequences SET "LastValue" = {next} WHERE "PartnerId" = {partnerId} AND "Series" = {series} AND "Year" = {year}""", ct);
        return next;
    }
}

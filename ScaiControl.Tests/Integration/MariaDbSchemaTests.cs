using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Infrastructure.Persistence;

namespace ScaiControl.Tests.Integration;

/// <summary>
/// What a Galera cluster needs of the schema the MariaDB migrations create: InnoDB tables only (Galera replicates
/// nothing else), a primary key on every table, utf8mb4 text, UTC DATETIME(6) instants and BIGINT money.
/// </summary>
public sealed class MariaDbSchemaTests(MariaDbApp app) : IClassFixture<MariaDbApp>
{
    [Fact]
    public async Task EveryTable_IsInnoDb_WithAPrimaryKey_AndUtf8mb4Text()
    {
        var tables = await RowsAsync("SELECT t.TABLE_NAME AS `Value` FROM information_schema.TABLES t WHERE t.TABLE_SCHEMA = DATABASE()");
        Assert.Contains("invoices", tables);
        Assert.Contains("__ef_migrations", tables);
        Assert.Empty(await RowsAsync("SELECT TABLE_NAME AS `Value` FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND ENGINE <> 'InnoDB'"));
        Assert.Empty(await RowsAsync("""
            SELECT t.TABLE_NAME AS `Value` FROM information_schema.TABLES t
            WHERE t.TABLE_SCHEMA = DATABASE() AND NOT EXISTS (
                SELECT 1 FROM information_schema.TABLE_CONSTRAINTS c
                WHERE c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME AND c.CONSTRAINT_TYPE = 'PRIMARY KEY')
            """));
        Assert.Empty(await RowsAsync("""
            SELECT CONCAT(TABLE_NAME, '.', COLUMN_NAME) AS `Value` FROM information_schema.COLUMNS
            WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME <> '__ef_migrations' AND CHARACTER_SET_NAME IS NOT NULL AND CHARACTER_SET_NAME <> 'utf8mb4'
            """));
    }

    [Fact]
    public async Task Instants_AreDatetime6_AndMoney_IsBigint()
    {
        Assert.Equal("datetime(6)", Assert.Single(await RowsAsync("SELECT COLUMN_TYPE AS `Value` FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'invoices' AND COLUMN_NAME = 'FinalisedAt'")));
        Assert.Equal("bigint(20)", Assert.Single(await RowsAsync("SELECT COLUMN_TYPE AS `Value` FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'invoices' AND COLUMN_NAME = 'NetTotalMinor'")));
        Assert.Empty(await RowsAsync("SELECT CONCAT(TABLE_NAME, '.', COLUMN_NAME) AS `Value` FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND EXTRA LIKE '%auto_increment%'"));

        // An instant written at +02:00 is stored as UTC and read back as the same instant, offset +00:00.
        await using var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        var local = new DateTimeOffset(2026, 7, 1, 14, 30, 15, 123, TimeSpan.FromHours(2)).AddTicks(4560);
        var entry = new ScaiControl.Domain.Audit.AuditEntry("test", null, null, "probe", "probe", Guid.NewGuid().ToString("N"), null, null, local);
        db.AuditLog.Add(entry);
        await db.SaveChangesAsync();
        var stored = Assert.Single(await RowsAsync($"SELECT DATE_FORMAT(`OccurredAt`, '%Y-%m-%d %H:%i:%s.%f') AS `Value` FROM audit_log WHERE `Id` = '{entry.Id}'"));
        Assert.Equal("2026-07-01 12:30:15.123456", stored);
        await using var reader = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        var back = await reader.AuditLog.AsNoTracking().Where(a => a.Id == entry.Id).Select(a => a.OccurredAt).SingleAsync();
        Assert.Equal(local, back);
        Assert.Equal(TimeSpan.Zero, back.Offset);
    }

    private async Task<List<string>> RowsAsync(string sql)
    {
        await using var db = app.Services.GetRequiredService<ScaiDbFactory>().ForPlatform("test");
        return await db.Database.SqlQueryRaw<string>(sql).ToListAsync();
    }
}

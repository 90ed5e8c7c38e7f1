using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using ScaiControl.Domain.Usage;
using ScaiControl.Infrastructure.Persistence;

namespace ScaiControl.Infrastructure.Usage;

/// <summary>
/// The provider-specific statements of usage ingestion (each tested on its provider by UsageIngestionTests):
/// a multi-row insert that ignores rows whose key is already stored and returns the keys it did insert —
/// PostgreSQL and SQLite <c>INSERT ... ON CONFLICT DO NOTHING RETURNING</c>, MariaDB <c>INSERT IGNORE ... RETURNING</c>
/// (10.5+) — and the roll-up upsert: <c>ON CONFLICT (...) DO UPDATE</c> (PostgreSQL, SQLite) or
/// <c>ON DUPLICATE KEY UPDATE</c> (MariaDB; assignments run left to right there, so LatestMicro is set before LatestAt).
/// Runs on the context's connection inside the caller's transaction; every value is a parameter.
/// </summary>
internal sealed class UsageSql(DatabaseProvider provider)
{
    /// <summary>Rows per statement (parameters stay well under every provider's limit).</summary>
    public const int ChunkRows = 500;

    private string Q(string name) => provider == DatabaseProvider.MariaDb ? $"`{name}`" : $"\"{name}\"";

    /// <summary>A value for a DateTimeOffset column as the EF model stores it on this provider.</summary>
    public object Instant(DateTimeOffset v) => provider switch
    {
        DatabaseProvider.Sqlite => v.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'+00:00'", CultureInfo.InvariantCulture),
        DatabaseProvider.MariaDb => v.UtcDateTime,
        _ => v.ToUniversalTime(),
    };

    /// <summary>Reads a DateTimeOffset column back (text on SQLite, DATETIME on MariaDB, timestamptz on PostgreSQL).</summary>
    public static DateTimeOffset ReadInstant(object value) => value switch
    {
        DateTimeOffset d => d.ToUniversalTime(),
        DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
        string s => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUniversalTime(),
        _ => throw new InvalidOperationException($"Unexpected instant type {value.GetType()}."),
    };

    /// <summary>Inserts <paramref name="rows"/>, skipping stored keys; returns the (tenant, event_id) pairs inserted.</summary>
    public async Task<HashSet<(string Tenant, string EventId)>> InsertEventsAsync(ScaiDbContext db, IReadOnlyList<UsageEvent> rows, CancellationToken ct)
    {
        string[] columns = ["TenantId", "Source", "EventId", "Id", "PartnerId", "MeterId", "SubscriptionId", "OccurredAt", "QuantityMicro", "PropertiesJson", "UniqueValue", "UnitCostMicroMinor", "ReceivedAt"];
        var inserted = new HashSet<(string, string)>();
        foreach (var chunk in rows.Chunk(ChunkRows))
        {
            await using var cmd = Command(db, columns, chunk.Length, "usage_events", out var parameters);
            var i = 0;
            foreach (var r in chunk)
            {
                object?[] values = [r.TenantId, r.Source, r.EventId, r.Id, r.PartnerId, r.MeterId, r.SubscriptionId, Instant(r.OccurredAt), r.QuantityMicro,
                    r.PropertiesJson, r.UniqueValue, r.UnitCostMicroMinor, Instant(r.ReceivedAt)];
                foreach (var v in values)
                {
                    parameters[i++].Value = v ?? DBNull.Value;
                }
            }

            cmd.CommandText += provider == DatabaseProvider.MariaDb
                ? $" RETURNING {Q("TenantId")}, {Q("EventId")}"
                : $" ON CONFLICT DO NOTHING RETURNING {Q("TenantId")}, {Q("EventId")}";
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                inserted.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        return inserted;
    }

    /// <summary>Inserts distinct values, skipping stored ones; returns those that were new.</summary>
    public async Task<HashSet<(string Tenant, string Subscription, string Meter, DateTimeOffset Day, string Value)>> InsertUniqueValuesAsync(
        ScaiDbContext db, IReadOnlyList<(string Partner, string Tenant, string Subscription, string Meter, DateTimeOffset Day, string Value)> rows, CancellationToken ct)
    {
        string[] columns = ["TenantId", "SubscriptionId", "MeterId", "Day", "Value", "PartnerId"];
        var inserted = new HashSet<(string, string, string, DateTimeOffset, string)>();
        foreach (var chunk in rows.Chunk(ChunkRows))
        {
            await using var cmd = Command(db, columns, chunk.Length, "usage_unique_values", out var parameters);
            var i = 0;
            foreach (var r in chunk)
            {
                foreach (var v in new object[] { r.Tenant, r.Subscription, r.Meter, Instant(r.Day), r.Value, r.Partner })
                {
                    parameters[i++].Value = v;
                }
            }

            var returning = $" RETURNING {Q("TenantId")}, {Q("SubscriptionId")}, {Q("MeterId")}, {Q("Day")}, {Q("Value")}";
            cmd.CommandText += provider == DatabaseProvider.MariaDb ? returning : " ON CONFLICT DO NOTHING" + returning;
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                inserted.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), ReadInstant(reader.GetValue(3)), reader.GetString(4)));
            }
        }

        return inserted;
    }

    /// <summary>Adds <paramref name="rows"/> to the stored roll-ups (sum, count, unique count add; max and latest combine).</summary>
    public async Task UpsertRollupsAsync(ScaiDbContext db, IReadOnlyList<RollupDelta> rows, CancellationToken ct)
    {
        string[] columns = ["TenantId", "SubscriptionId", "MeterId", "Grain", "BucketStart", "PartnerId", "QuantityMicro", "EventCount", "MaxMicro", "LatestMicro", "LatestAt", "UniqueCount"];
        foreach (var chunk in rows.Chunk(ChunkRows))
        {
            await using var cmd = Command(db, columns, chunk.Length, "usage_rollups", out var parameters);
            var i = 0;
            foreach (var r in chunk)
            {
                foreach (var v in new object[] { r.Tenant, r.Subscription, r.Meter, r.Grain == RollupGrain.Hour ? "hour" : "day", Instant(r.BucketStart), r.Partner,
                    r.QuantityMicro, r.EventCount, r.MaxMicro, r.LatestMicro, Instant(r.LatestAt), r.UniqueCount })
                {
                    parameters[i++].Value = v;
                }
            }

            if (provider == DatabaseProvider.MariaDb)
            {
                cmd.CommandText += " ON DUPLICATE KEY UPDATE `QuantityMicro` = `QuantityMicro` + VALUES(`QuantityMicro`), `EventCount` = `EventCount` + VALUES(`EventCount`),"
                    + " `MaxMicro` = GREATEST(`MaxMicro`, VALUES(`MaxMicro`)), `LatestMicro` = IF(VALUES(`LatestAt`) >= `LatestAt`, VALUES(`LatestMicro`), `LatestMicro`),"
                    + " `LatestAt` = GREATEST(`LatestAt`, VALUES(`LatestAt`)), `UniqueCount` = `UniqueCount` + VALUES(`UniqueCount`)";
            }
            else
            {
                const string t = "usage_rollups";
                cmd.CommandText += """ ON CONFLICT ("TenantId", "SubscriptionId", "MeterId", "Grain", "BucketStart") DO UPDATE SET """
                    + $"\"QuantityMicro\" = {t}.\"QuantityMicro\" + excluded.\"QuantityMicro\", \"EventCount\" = {t}.\"EventCount\" + excluded.\"EventCount\", "
                    + $"\"MaxMicro\" = CASE WHEN excluded.\"MaxMicro\" > {t}.\"MaxMicro\" THEN excluded.\"MaxMicro\" ELSE {t}.\"MaxMicro\" END, "
                    + $"\"LatestMicro\" = CASE WHEN excluded.\"LatestAt\" >= {t}.\"LatestAt\" THEN excluded.\"LatestMicro\" ELSE {t}.\"LatestMicro\" END, "
                    + $"\"LatestAt\" = CASE WHEN excluded.\"LatestAt\" >= {t}.\"LatestAt\" THEN excluded.\"LatestAt\" ELSE {t}.\"LatestAt\" END, "
                    + $"\"UniqueCount\" = {t}.\"UniqueCount\" + excluded.\"UniqueCount\"";
            }

            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>Inserts the soft-quota notice of (subscription, meter, period start) unless stored; true when this call inserted it.</summary>
    public async Task<bool> InsertQuotaNoticeAsync(ScaiDbContext db, string partnerId, string tenantId, string subscriptionId, string meterId, DateTimeOffset periodStart, DateTimeOffset now, CancellationToken ct)
    {
        string[] columns = ["SubscriptionId", "MeterId", "PeriodStart", "PartnerId", "TenantId", "ReachedAt"];
        await using var cmd = Command(db, columns, 1, "usage_quota_notices", out var parameters);
        object[] values = [subscriptionId, meterId, Instant(periodStart), partnerId, tenantId, Instant(now)];
        for (var i = 0; i < values.Length; i++)
        {
            parameters[i].Value = values[i];
        }

        if (provider != DatabaseProvider.MariaDb)
        {
            cmd.CommandText += " ON CONFLICT DO NOTHING";
        }

        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    private DbCommand Command(ScaiDbContext db, string[] columns, int rows, string table, out List<DbParameter> parameters)
    {
        var cmd = db.Database.GetDbConnection().CreateCommand();
        cmd.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        parameters = new List<DbParameter>(columns.Length * rows);
        var sql = new StringBuilder(provider == DatabaseProvider.MariaDb ? "INSERT IGNORE INTO " : "INSERT INTO ");
        if (provider == DatabaseProvider.MariaDb && table == "usage_rollups")
        {
            sql.Clear().Append("INSERT INTO ");
        }

        sql.Append(table).Append(" (").Append(string.Join(", ", columns.Select(Q))).Append(") VALUES ");
        for (var r = 0; r < rows; r++)
        {
            sql.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < columns.Length; c++)
            {
                var p = cmd.CreateParameter();
                p.ParameterName = "@p" + parameters.Count.ToString(CultureInfo.InvariantCulture);
                parameters.Add(p);
                cmd.Parameters.Add(p);
                sql.Append(c == 0 ? "" : ", ").Append(p.ParameterName);
            }

            sql.Append(')');
        }

        cmd.CommandText = sql.ToString();
        return cmd;
    }
}

/// <summary>What one batch adds to one roll-up row.</summary>
internal sealed record RollupDelta(string Partner, string Tenant, string Subscription, string Meter, RollupGrain Grain, DateTimeOffset BucketStart,
    long QuantityMicro, long EventCount, long MaxMicro, long LatestMicro, DateTimeOffset LatestAt, long UniqueCount);

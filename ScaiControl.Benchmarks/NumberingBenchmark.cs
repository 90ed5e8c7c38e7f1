using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MySqlConnector;
using Npgsql;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Vat;
using ScaiControl.Infrastructure;
using ScaiControl.Infrastructure.Demo;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Persistence;

namespace ScaiControl.Benchmarks;

/// <summary>
/// Finalisations per second with gap-free numbering for one hot seller (the demo operator, series SCAI) through the
/// app's <see cref="InvoiceService"/> (no PDF rendering), against the raw counter transaction (BEGIN; SELECT ... FOR
/// UPDATE; UPDATE; INSERT; COMMIT) on the same server with the same concurrency; on PostgreSQL, MariaDB and a Galera
/// pair (writes alternating between the two nodes; conflicts retried: the retry rate is reported).
/// </summary>
internal static class NumberingBenchmark
{
    private const int Concurrency = 8;

    /// <summary>Runs every target whose connection string is set (SCAI_BENCH_PG, SCAI_BENCH_MARIADB, SCAI_BENCH_GALERA1/2).</summary>
    public static async Task<string> RunAsync(int count)
    {
        var rows = new List<string>();
        var started = DateTimeOffset.UtcNow;
        var wall = Stopwatch.StartNew();
        if (Environment.GetEnvironmentVariable("SCAI_BENCH_PG") is { Length: > 0 } pg)
        {
            rows.Add(await MeasureAsync("PostgreSQL", [pg], count));
        }

        if (Environment.GetEnvironmentVariable("SCAI_BENCH_MARIADB") is { Length: > 0 } maria)
        {
            rows.Add(await MeasureAsync("MariaDB", [maria], count));
        }

        if (Environment.GetEnvironmentVariable("SCAI_BENCH_GALERA1") is { Length: > 0 } g1 && Environment.GetEnvironmentVariable("SCAI_BENCH_GALERA2") is { Length: > 0 } g2)
        {
            rows.Add(await MeasureAsync("MariaDB Galera (2 nodes, writes through both)", [g1, g2], count));
        }

        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine and run: {started:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}, load average {LoadAverage()} at the end (other work shares the cores); wall time {wall.Elapsed.TotalSeconds:0} s.");
        md.AppendLine(CultureInfo.InvariantCulture, $"Command: `scripts/bench.sh numbering {count}` (throwaway servers started by the script on 127.0.0.1: PostgreSQL 15 with default durability; MariaDB 10.11 and a two-node Galera cluster with the test settings of scripts/mariadb-servers.sh, innodb_flush_log_at_trx_commit=2 and sync_binlog=0, so their commits do not wait for fsync: compare ratios, not MariaDB with PostgreSQL).");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"{count} finalisations of one seller's drafts (one line each) with {Concurrency} at once, through `InvoiceService.FinaliseAsync` (the finalisation unit: read draft, seller and buyer, VAT, HTML snapshot, next number under `SELECT ... FOR UPDATE`, save, commit; PDF rendering not included). The raw transaction is `BEGIN; SELECT v FROM counter WHERE id = 1 FOR UPDATE; UPDATE counter; INSERT number; COMMIT` with the same concurrency on the same server (on Galera alternating nodes too, retried on error 1213).");
        md.AppendLine();
        md.AppendLine("| database | finalisations | ScaiControl /s | raw counter transaction /s | ratio | retries per finalisation | raw retries per transaction |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            md.AppendLine(row);
        }

        md.AppendLine();
        md.AppendLine("Both sides number one hot counter row, so each is bound by one commit after another; on Galera a commit through one node conflicts with the other node's (error 1213) and the unit is run again (`scai.db.retries`).");
        md.AppendLine("On MariaDB the finalisation also pays one round trip per statement (no batching, no savepoints: docs/decisions/0008).");
        return md.ToString();
    }

    private static async Task<string> MeasureAsync(string label, string[] servers, int count)
    {
        var database = $"scai_bench_{Guid.NewGuid():N}";
        var mariaDb = label.StartsWith("MariaDB", StringComparison.Ordinal);
        await CreateDatabaseAsync(mariaDb, servers[0], database);
        var nodes = new List<ServiceProvider>();
        try
        {
            for (var i = 0; i < servers.Length; i++)
            {
                nodes.Add(Services(mariaDb, WithDatabase(mariaDb, servers[i], database)));
                if (i == 0)
                {
                    await nodes[0].GetRequiredService<ScaiDbFactory>().MigrateAsync();
                    await nodes[0].GetRequiredService<DemoSeeder>().SeedAsync();
                }
            }

            var drafts = await DraftsAsync(nodes[0].GetRequiredService<ScaiDbFactory>(), count + Concurrency);
            await Task.Delay(1000); // the other Galera node applies the drafts
            // Warm-up: the first finalisation per node (JIT, templates, connection pools).
            for (var i = 0; i < nodes.Count; i++)
            {
                await FinaliseAsync(nodes[i], drafts[i]);
            }

            var queue = new System.Collections.Concurrent.ConcurrentQueue<string>(drafts.Skip(nodes.Count).Take(count));
            var retriesBefore = RetriableUnits.Total;
            var watch = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(w => Task.Run(async () =>
            {
                while (queue.TryDequeue(out var id))
                {
                    await FinaliseAsync(nodes[w % nodes.Count], id);
                }
            })));
            var app = count / watch.Elapsed.TotalSeconds;
            var retries = (RetriableUnits.Total - retriesBefore) / (double)count;

            var (raw, rawRetries) = await RawAsync(mariaDb, servers.Select(s => WithDatabase(mariaDb, s, database)).ToArray(), count);
            return string.Create(CultureInfo.InvariantCulture, $"| {label} | {count} | {app:0} | {raw:0} | **{app / raw:0.00}** | {(mariaDb ? retries.ToString("0.00", CultureInfo.InvariantCulture) : "-")} | {(mariaDb ? rawRetries.ToString("0.00", CultureInfo.InvariantCulture) : "-")} |");
        }
        finally
        {
            foreach (var n in nodes)
            {
                await n.DisposeAsync();
            }

            MySqlConnection.ClearAllPools();
            NpgsqlConnection.ClearAllPools();
            await DropDatabaseAsync(mariaDb, servers[0], database);
        }
    }

    private static async Task FinaliseAsync(ServiceProvider node, string id)
    {
        await using var db = await node.GetRequiredService<ScaiDbFactory>().ForSystemAsync("bench");
        await node.GetRequiredService<InvoiceService>().FinaliseAsync(db, id, CancellationToken.None);
    }

    private static ServiceProvider Services(bool mariaDb, string connectionString)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = mariaDb ? "MariaDB" : "PostgreSQL",
            [mariaDb ? "ConnectionStrings:MariaDB" : "ConnectionStrings:PostgreSQL"] = connectionString,
            ["DataDirectory"] = Directory.CreateTempSubdirectory("scai-bench-numbering-").FullName,
            ["Pdf:ChromiumPath"] = "/nonexistent/chromium",
            ["Vies:BaseUrl"] = "http://127.0.0.1:9",
            ["Database:MaxRetries"] = "50",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Error));
        services.AddSingleton<IConfiguration>(config);
        services.AddScaiInfrastructure(config);
        return services.BuildServiceProvider();
    }

    private static async Task<List<string>> DraftsAsync(ScaiDbFactory factory, int count)
    {
        await using var db = await factory.ForSystemAsync("bench");
        var buyer = await db.TenantBillingProfiles.AsNoTracking().Join(db.Tenants, p => p.TenantId, t => t.Id, (p, t) => new { t.Id, t.PartnerId, p.Country })
            .Join(db.Partners.Where(p => p.IsOperator), x => x.PartnerId, p => p.Id, (x, _) => x).OrderBy(x => x.Id).FirstAsync();
        var vat = new VatDecision(VatRule.Domestic, VatCategory.S, new VatRate(2100), null, null);
        var drafts = Enumerable.Range(0, count).Select(_ =>
        {
            var invoice = new Invoice(buyer.PartnerId, buyer.Id, "EUR", null, DateTimeOffset.UtcNow);
            invoice.AddLine("Seat licence", 3, Money.Of(2500, "EUR"), vat);
            return invoice;
        }).ToList();
        db.Invoices.AddRange(drafts);
        await db.SaveChangesAsync();
        return drafts.Select(d => d.Id).ToList();
    }

    private static async Task<(double PerSecond, double RetriesPerTransaction)> RawAsync(bool mariaDb, string[] servers, int count)
    {
        await ExecAsync(mariaDb, servers[0], mariaDb
            ? "CREATE TABLE bench_counter (id INT PRIMARY KEY, v BIGINT NOT NULL) ENGINE=InnoDB; INSERT INTO bench_counter VALUES (1, 0); CREATE TABLE bench_numbers (n BIGINT PRIMARY KEY, at DATETIME(6) NOT NULL) ENGINE=InnoDB;"
            : "CREATE TABLE bench_counter (id INT PRIMARY KEY, v BIGINT NOT NULL); INSERT INTO bench_counter VALUES (1, 0); CREATE TABLE bench_numbers (n BIGINT PRIMARY KEY, at TIMESTAMPTZ NOT NULL);");
        await Task.Delay(500);
        var left = count;
        long retries = 0;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(w => Task.Run(async () =>
        {
            var server = servers[w % servers.Length];
            while (Interlocked.Decrement(ref left) >= 0)
            {
                while (true)
                {
                    try
                    {
                        await RawTransactionAsync(mariaDb, server);
                        break;
                    }
                    catch (MySqlException e) when (e.Number == 1213)
                    {
                        Interlocked.Increment(ref retries);
                    }
                }
            }
        })));
        return (count / watch.Elapsed.TotalSeconds, retries / (double)count);
    }

    private static async Task RawTransactionAsync(bool mariaDb, string server)
    {
        if (mariaDb)
        {
            await using var c = new MySqlConnection(server);
            await c.OpenAsync();
            await using var tx = await c.BeginTransactionAsync();
            await using var select = new MySqlCommand("SELECT v FROM bench_counter WHERE id = 1 FOR UPDATE", c, tx);
            var next = (long)(await select.ExecuteScalarAsync())! + 1;
            await using var update = new MySqlCommand("UPDATE bench_counter SET v = @v WHERE id = 1", c, tx);
            update.Parameters.AddWithValue("@v", next);
            await update.ExecuteNonQueryAsync();
            await using var insert = new MySqlCommand("INSERT INTO bench_numbers VALUES (@v, UTC_TIMESTAMP(6))", c, tx);
            insert.Parameters.AddWithValue("@v", next);
            await insert.ExecuteNonQueryAsync();
            await tx.CommitAsync();
        }
        else
        {
            await using var c = new NpgsqlConnection(server);
            await c.OpenAsync();
            await using var tx = await c.BeginTransactionAsync();
            await using var select = new NpgsqlCommand("SELECT v FROM bench_counter WHERE id = 1 FOR UPDATE", c, tx);
            var next = (long)(await select.ExecuteScalarAsync())! + 1;
            await using var update = new NpgsqlCommand("UPDATE bench_counter SET v = @v WHERE id = 1", c, tx);
            update.Parameters.AddWithValue("v", next);
            await update.ExecuteNonQueryAsync();
            await using var insert = new NpgsqlCommand("INSERT INTO bench_numbers VALUES (@v, now())", c, tx);
            insert.Parameters.AddWithValue("v", next);
            await insert.ExecuteNonQueryAsync();
            await tx.CommitAsync();
        }
    }

    private static string WithDatabase(bool mariaDb, string server, string database) => mariaDb
        ? new MySqlConnectionStringBuilder(server) { Database = database, MaximumPoolSize = 50 }.ConnectionString
        : new NpgsqlConnectionStringBuilder(server) { Database = database, MaxPoolSize = 50 }.ConnectionString;

    private static Task CreateDatabaseAsync(bool mariaDb, string server, string database) =>
        ExecAsync(mariaDb, server, mariaDb ? $"CREATE DATABASE `{database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin" : $"CREATE DATABASE \"{database}\"", useServerDatabase: true);

    private static Task DropDatabaseAsync(bool mariaDb, string server, string database) =>
        ExecAsync(mariaDb, server, mariaDb ? $"DROP DATABASE IF EXISTS `{database}`" : $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", useServerDatabase: true);

    private static async Task ExecAsync(bool mariaDb, string server, string sql, bool useServerDatabase = false)
    {
        if (useServerDatabase)
        {
            server = mariaDb ? new MySqlConnectionStringBuilder(server) { Database = "mysql" }.ConnectionString : new NpgsqlConnectionStringBuilder(server) { Database = "postgres" }.ConnectionString;
        }

        if (mariaDb)
        {
            await using var c = new MySqlConnection(server);
            await c.OpenAsync();
            await using var cmd = new MySqlCommand(sql, c);
            await cmd.ExecuteNonQueryAsync();
        }
        else
        {
            await using var c = new NpgsqlConnection(server);
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand(sql, c);
            await cmd.ExecuteNonQueryAsync();
        }
    }

    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "n/a";
        }
    }
}

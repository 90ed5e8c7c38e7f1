using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Tests.Integration;
using ScaiControl.Tests.Web.Browser;

namespace ScaiControl.Tests.MultiNode;

/// <summary>
/// The backup and restore drill of docs/deployment.md, run for real: a node bills and renders PDFs; the database is
/// dumped and the object store archived; both are dropped; they are restored from the backup and the node started
/// again. Afterwards every finalised invoice has the same number, the same HTML snapshot and byte-identical PDF as
/// before, and the next number of each series continues without a gap.
/// </summary>
public abstract class RestoreDrillTests
{
    /// <summary>The Database:Provider value.</summary>
    protected abstract string Provider { get; }

    /// <summary>Creates an empty database; returns its connection string.</summary>
    protected abstract Task<string> CreateDatabaseAsync(string name);

    /// <summary>Dumps the database to <paramref name="file"/> with the provider's own tool.</summary>
    protected abstract Task DumpAsync(string name, string file);

    /// <summary>Drops the database.</summary>
    protected abstract Task DropDatabaseAsync(string name);

    /// <summary>Restores <paramref name="file"/> into a new, empty database of the same name.</summary>
    protected abstract Task RestoreAsync(string name, string file);

    [ChromiumFact]
    public async Task DumpDropRestore_KeepsEveryFinalisedInvoicesSnapshotAndPdfBytes_AndTheSeriesContinues()
    {
        var name = $"scai_drill_{Guid.NewGuid():N}"[..30];
        var cs = await CreateDatabaseAsync(name);
        var dir = Directory.CreateTempSubdirectory("scai-drill-").FullName;
        var objects = Path.Combine(dir, "objects");
        var settings = new Dictionary<string, string>
        {
            ["Database:Provider"] = Provider,
            [$"ConnectionStrings:{Provider}"] = cs,
            ["DataDirectory"] = dir,
            ["Storage:Root"] = objects,
            ["Auth:DevKeyPath"] = Path.Combine(dir, "dev-key.pem"),
            ["Demo:SeedOnFirstRun"] = "false",
            ["Database:MigrateOnStart"] = "false", // migrated once, with admin migrate
            ["Vies:BaseUrl"] = "http://127.0.0.1:9",
            ["Pdf:ChromiumPath"] = ChromiumFactAttribute.ChromiumPath,
            ["Webhooks:DispatcherEnabled"] = "false",
            // The operator's run makes the invoices; the on-time job finishing one more after the "before" snapshot
            // (seen once) would make the restored set differ from the snapshot for a reason that is not the restore.
            ["Billing:OnTimeEnabled"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        AppNode? node = null;
        try
        {
            Assert.Equal(0, (await AppNode.CliAsync(settings, "migrate")).ExitCode);
            Assert.Equal(0, (await AppNode.CliAsync(settings, "seed-demo")).ExitCode);
            node = new AppNode("drill", settings);
            await node.StartAsync();
            var factory = new ScaiDbFactory(new DatabaseOptions { Provider = Enum.Parse<DatabaseProvider>(Provider.Replace("PostgreSQL", "PostgreSql", StringComparison.Ordinal), true), ConnectionString = cs }, TimeProvider.System);
            var ops = await node.ClientAsync(Path.Combine(dir, "dev-key.pem"), factory, Api.Ops);
            var run = await ops.RunBillingAsync(Api.CurrentPeriod);
            Assert.Equal("completed", run.Str("status"));
            var before = await SnapshotAsync(ops, factory);
            Assert.True(before.Count >= 5, $"only {before.Count} finalised invoices with a PDF");

            // Backup: a consistent database dump, then the object store (objects are immutable once written).
            await node.DisposeAsync();
            node = null;
            var dump = Path.Combine(dir, "backup.dump");
            var archive = Path.Combine(dir, "objects.tar");
            await DumpAsync(name, dump);
            await RunAsync("tar", "-C", objects, "-cf", archive, ".");

            // Disaster: database and object store gone.
            await DropDatabaseAsync(name);
            Directory.Delete(objects, recursive: true);

            // Restore, then start the node on the restored state.
            await RestoreAsync(name, dump);
            Directory.CreateDirectory(objects);
            await RunAsync("tar", "-C", objects, "-xf", archive);
            node = new AppNode("drill", settings);
            await node.StartAsync();
            ops = await node.ClientAsync(Path.Combine(dir, "dev-key.pem"), factory, Api.Ops);
            var after = await SnapshotAsync(ops, factory);
            Assert.Equal(before.Keys.Order(), after.Keys.Order());
            foreach (var (id, (number, html, pdf)) in before)
            {
                Assert.Equal(number, after[id].Number);
                Assert.Equal(html, after[id].HtmlSha);
                Assert.Equal(pdf, after[id].PdfSha);
            }

            // The series continues where it stood: the next finalisation takes the next number.
            var last = before.Values.Select(v => v.Number).Where(n => n.StartsWith("SCAI-2", StringComparison.Ordinal)).Max(StringComparer.Ordinal)!;
            var draft = (await CreateDraftAsync(factory)).Id;
            var next = await ops.PostJson($"/api/v1/invoices/{draft}/finalize", null, HttpStatusCode.OK);
            Assert.Equal(int.Parse(last[^6..], System.Globalization.CultureInfo.InvariantCulture) + 1,
                int.Parse(next.Str("number")[^6..], System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }

            await DropDatabaseAsync(name);
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
                // left for the OS temp cleaner
            }
        }
    }

    /// <summary>Runs a command; throws with its output when it fails.</summary>
    protected static async Task RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {p.ExitCode}: {await stderr}{await stdout}");
        }
    }

    /// <summary>Number, SHA-256 of the HTML snapshot (from the database) and of the PDF (through the API) of every finalised invoice.</summary>
    private static async Task<Dictionary<string, (string Number, string HtmlSha, string PdfSha)>> SnapshotAsync(HttpClient ops, ScaiDbFactory factory)
    {
        List<(string Id, string Number, string? Html)> rows;
        await using (var db = await factory.ForSystemAsync("test"))
        {
            rows = (await db.Invoices.AsNoTracking().Where(i => i.Status == InvoiceStatus.Finalised)
                .Select(i => new { i.Id, i.Number, i.TemplateHtmlSnapshot }).ToListAsync())
                .Select(i => (i.Id, i.Number!, i.TemplateHtmlSnapshot)).ToList();
        }

        var result = new Dictionary<string, (string, string, string)>();
        foreach (var (id, number, html) in rows)
        {
            Assert.False(string.IsNullOrEmpty(html), $"{number} has no HTML snapshot");
            HttpResponseMessage pdf = null!;
            for (var i = 0; i < 300; i++) // rendered right after finalisation; the render job catches up otherwise
            {
                pdf = await ops.GetAsync($"/api/v1/invoices/{id}/pdf");
                if (pdf.StatusCode != HttpStatusCode.ServiceUnavailable)
                {
                    break;
                }

                await Task.Delay(200);
            }

            Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
            var bytes = await pdf.Content.ReadAsByteArrayAsync();
            Assert.StartsWith("%PDF-", System.Text.Encoding.ASCII.GetString(bytes, 0, 5), StringComparison.Ordinal);
            result[id] = (number, Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(html!))), Convert.ToHexString(SHA256.HashData(bytes)));
        }

        return result;
    }

    private static async Task<Invoice> CreateDraftAsync(ScaiDbFactory factory)
    {
        await using var db = await factory.ForSystemAsync("test");
        var tenant = await db.Tenants.SingleAsync(t => t.Name == "Acme Hosting B.V.");
        var invoice = new Invoice(tenant.PartnerId, tenant.Id, "EUR", null, DateTimeOffset.UtcNow);
        invoice.AddLine("Migration workshop", 1, ScaiControl.Domain.Common.Money.Of(45000, "EUR"),
            new ScaiControl.Domain.Vat.VatDecision(ScaiControl.Domain.Vat.VatRule.Domestic, ScaiControl.Domain.Vat.VatCategory.S, new ScaiControl.Domain.Vat.VatRate(2100), null, null));
        db.Invoices.Add(invoice);
        await db.SaveChangesAsync();
        return invoice;
    }
}

/// <summary>The drill on PostgreSQL: pg_dump -Fc / pg_restore from the server's own bin directory (SCAI_PG_BIN).</summary>
public sealed class PostgresRestoreDrillTests : RestoreDrillTests
{
    private static NpgsqlConnectionStringBuilder Server => new(PostgresApp.PgServer);

    private static string Tool(string name) => Path.Combine(Environment.GetEnvironmentVariable("SCAI_PG_BIN") ?? "/usr/bin", name);

    private static string Url(string database) => $"postgresql://{Server.Username}:{Server.Password}@{Server.Host}:{Server.Port}/{database}";

    /// <inheritdoc/>
    protected override string Provider => "PostgreSQL";

    /// <inheritdoc/>
    protected override async Task<string> CreateDatabaseAsync(string name)
    {
        await ExecAsync($"CREATE DATABASE \"{name}\"");
        return new NpgsqlConnectionStringBuilder(PostgresApp.PgServer) { Database = name }.ConnectionString;
    }

    /// <inheritdoc/>
    protected override Task DumpAsync(string name, string file) => RunAsync(Tool("pg_dump"), "--format=custom", $"--file={file}", $"--dbname={Url(name)}");

    /// <inheritdoc/>
    protected override async Task DropDatabaseAsync(string name)
    {
        NpgsqlConnection.ClearAllPools();
        await ExecAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
    }

    /// <inheritdoc/>
    protected override async Task RestoreAsync(string name, string file)
    {
        await ExecAsync($"CREATE DATABASE \"{name}\"");
        await RunAsync(Tool("pg_restore"), "--exit-on-error", "--no-owner", $"--dbname={Url(name)}", file);
    }

    private static async Task ExecAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(PostgresApp.PgServer);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>The drill on MariaDB (SCAI_TEST_MARIADB): mariadb-dump --single-transaction (triggers included) and the mariadb client.</summary>
public sealed class MariaDbRestoreDrillTests : RestoreDrillTests
{
    private static MySqlConnector.MySqlConnectionStringBuilder Server => new(Environment.GetEnvironmentVariable("SCAI_TEST_MARIADB")
        ?? throw new InvalidOperationException("SCAI_TEST_MARIADB is not set: run the tests through scripts/test.sh, which starts MariaDB."));

    private static string[] Login => ["--host=127.0.0.1", $"--port={Server.Port}", $"--user={Server.UserID}", $"--password={Server.Password}"];

    /// <inheritdoc/>
    protected override string Provider => "MariaDB";

    /// <inheritdoc/>
    protected override async Task<string> CreateDatabaseAsync(string name)
    {
        await ExecAsync($"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        return new MySqlConnector.MySqlConnectionStringBuilder(Server.ConnectionString) { Database = name }.ConnectionString;
    }

    /// <inheritdoc/>
    protected override Task DumpAsync(string name, string file) =>
        RunAsync("mariadb-dump", [.. Login, "--single-transaction", "--routines", "--triggers", $"--result-file={file}", name]);

    /// <inheritdoc/>
    protected override async Task DropDatabaseAsync(string name)
    {
        MySqlConnector.MySqlConnection.ClearAllPools();
        await ExecAsync($"DROP DATABASE IF EXISTS `{name}`");
    }

    /// <inheritdoc/>
    protected override async Task RestoreAsync(string name, string file)
    {
        await ExecAsync($"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        await RunAsync("mariadb", [.. Login, name, "-e", $"source {file}"]);
    }

    private static async Task ExecAsync(string sql)
    {
        await using var connection = new MySqlConnector.MySqlConnection(Server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new MySqlConnector.MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

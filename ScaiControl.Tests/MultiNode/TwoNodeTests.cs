using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using ScaiControl.Domain.Billing;
using ScaiControl.Domain.Catalog;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Tests.Integration;

namespace ScaiControl.Tests.MultiNode;

/// <summary>
/// Two real app processes against one database (issue 10, "several app nodes"): the API driven through both
/// (subscribe, billing run, finalise, webhook dispatch), one node killed with SIGKILL in the middle of the billing run
/// and started again. Checked afterwards in the database and at a webhook receiver: every invoice number once with no
/// gap, every subscription period invoiced once, the billing run completed once, every outbox event delivered at least
/// once and never twice at the same moment, and the surviving node doing the scheduled work (dispatch) alone while the
/// other is down. Each provider's subclass says how to reach its database through each node.
/// </summary>
public abstract class TwoNodeTests
{
    private const int BulkTenants = 120;

    /// <summary>The Database:Provider value.</summary>
    protected abstract string Provider { get; }

    /// <summary>Settings only node B has (on Galera: its scheduler writes through node A's Galera node).</summary>
    protected virtual IReadOnlyDictionary<string, string> NodeBSettings(string nodeA) => new Dictionary<string, string>();

    /// <summary>Creates a fresh database; returns the connection string node A uses and the one node B uses.</summary>
    protected abstract Task<(string NodeA, string NodeB)> CreateDatabaseAsync(string name);

    /// <summary>Drops the database again.</summary>
    protected abstract Task DropDatabaseAsync(string name);

    [Fact]
    public async Task TwoNodes_OneKilledMidBillingRun_NumbersOnceWithoutGap_RunCompletesOnce_EventsDeliveredAtLeastOnce()
    {
        var name = $"scai_nodes_{Guid.NewGuid():N}"[..30];
        var (csA, csB) = await CreateDatabaseAsync(name);
        var dir = Directory.CreateTempSubdirectory("scai-nodes-").FullName;
        var deliveries = new ConcurrentBag<(string Id, DateTime Start, DateTime End)>();
        var (receiver, receiverUrl) = await LoopbackServer.StartAsync(app => app.MapPost("/hook", async (HttpContext http) =>
        {
            var start = DateTime.UtcNow;
            await Task.Delay(20); // a receiver that takes a moment: overlapping duplicates would show
            deliveries.Add((http.Request.Headers["webhook-id"].ToString(), start, DateTime.UtcNow));
            return Results.NoContent();
        }));
        await using var _ = receiver;
        AppNode? a = null, b = null;
        try
        {
            Dictionary<string, string> Settings(string cs) => new()
            {
                ["Database:Provider"] = Provider,
                [$"ConnectionStrings:{Provider}"] = cs,
                ["DataDirectory"] = dir,
                ["Storage:Root"] = Path.Combine(dir, "objects"), // one object store for both nodes
                ["Auth:DevKeyPath"] = Path.Combine(dir, "dev-key.pem"),
                ["Demo:SeedOnFirstRun"] = "false",
                ["Database:MigrateOnStart"] = "false", // a deployment of several nodes migrates once, with admin migrate
                ["Vies:BaseUrl"] = "http://127.0.0.1:9",
                ["Pdf:ChromiumPath"] = Path.Combine(dir, "no-chromium"), // PDFs stay pending: not what this test is about
                ["Webhooks:PollInterval"] = "00:00:01",
                ["Billing:OnTimeEnabled"] = "false", // the operator's run is what this test kills and takes over
                ["Logging:LogLevel:Default"] = "Warning",
            };

            // Migrations run once per deployment (admin migrate), before the nodes start; then the demo data.
            var migrate = await AppNode.CliAsync(Settings(csA), "migrate");
            Assert.True(migrate.ExitCode == 0, migrate.Output);
            var seed = await AppNode.CliAsync(Settings(csA), "seed-demo");
            Assert.True(seed.ExitCode == 0, seed.Output);
            var factory = new ScaiDbFactory(new DatabaseOptions { Provider = ParseProvider(Provider), ConnectionString = csA }, TimeProvider.System);
            var bulk = await SeedBulkTenantsAsync(factory);

            a = new AppNode("node-a", Settings(csA));
            b = new AppNode("node-b", Settings(csB).Concat(NodeBSettings(csA)).ToDictionary(kv => kv.Key, kv => kv.Value));
            await Task.WhenAll(a.StartAsync(), b.StartAsync());
            var opsA = await a.ClientAsync(Path.Combine(dir, "dev-key.pem"), factory, Api.Ops);
            var opsB = await b.ClientAsync(Path.Combine(dir, "dev-key.pem"), factory, Api.Ops);

            var hook = await opsA.PostJson("/api/v1/admin/webhook-subscriptions", new { url = $"{receiverUrl}/hook", topics = new[] { "*" } }, HttpStatusCode.Created);
            Assert.StartsWith("whsec_", hook.Str("secret"), StringComparison.Ordinal);
            var subscribedFrom = DateTimeOffset.UtcNow; // events from here on are fanned out to the receiver

            // Subscribe through both nodes at once.
            var cms = await opsA.PlanId("scaicms", "cms-pro-monthly");
            await Task.WhenAll(bulk.Take(20).Select((tenantId, i) =>
                (i % 2 == 0 ? opsA : opsB).PostJson("/api/v1/subscriptions", new { plan_id = cms, tenant_id = tenantId }, HttpStatusCode.Created)));

            // Drafts finalised through both nodes at once: consecutive numbers whichever node takes the lock.
            var drafts = await CreateDraftsAsync(factory, bulk[^1], 20);
            var finalised = await Task.WhenAll(drafts.Select((id, i) =>
                (i % 2 == 0 ? opsA : opsB).PostJson($"/api/v1/invoices/{id}/finalize", null, HttpStatusCode.OK)));
            Assert.Equal(20, finalised.Select(f => f.Str("number")).Distinct().Count());

            // The billing run, started through node A; whichever node claimed it is killed once it is under way.
            var run = await opsA.PostJson("/api/v1/admin/billing-runs", new { period = Api.CurrentPeriod }, HttpStatusCode.Accepted);
            var runId = run.Str("id");
            var started = await WaitAsync(async () =>
            {
                var r = await opsB.GetJson($"/api/v1/admin/billing-runs/{runId}");
                return r["tenants_processed"]!.GetValue<int>() > 0 || r.Str("status") is "completed" ? r : null;
            }, TimeSpan.FromMinutes(2), () => "the billing run never started");
            var victim = started["claimed_by"]?.GetValue<string>() == "node-b" ? b : a;
            var survivor = victim == a ? b : a;
            var opsSurvivor = victim == a ? opsB : opsA;
            var killedMidRun = started.Str("status") == "running";
            victim.Kill();

            // While the victim is down the survivor does the scheduled work alone: a new event is delivered.
            var whileDown = await opsSurvivor.PostJson("/api/v1/subscriptions", new { plan_id = cms, tenant_id = bulk[30] }, HttpStatusCode.Created);
            var eventWhileDown = await WaitAsync(async () =>
            {
                await using var db = await factory.ForSystemAsync("test");
                var keys = await db.OutboxEvents.AsNoTracking().Where(e => e.PayloadJson.Contains(whileDown.Str("id"))).Select(e => e.IdempotencyKey).ToListAsync();
                return keys.Count > 0 && keys.All(k => deliveries.Any(d => d.Id == k)) ? keys : null;
            }, TimeSpan.FromMinutes(2), () => "no delivery while one node was down");
            Assert.NotEmpty(eventWhileDown);
            Assert.True(survivor.Running);

            await victim.StartAsync();
            var done = await WaitAsync(async () =>
            {
                var r = await opsSurvivor.GetJson($"/api/v1/admin/billing-runs/{runId}");
                return r.Str("status") is "completed" or "failed" ? r : null;
            }, TimeSpan.FromMinutes(3), () => "the billing run never completed after the kill");
            Assert.Equal("completed", done.Str("status"));
            Assert.True(killedMidRun, $"the run had already ended when {victim.Name} was killed: {started.ToJsonString()}");
            Assert.Contains(done["errors"]!.AsArray(), e => e!.GetValue<string>().Contains($"{victim.Name} stopped renewing its lease", StringComparison.Ordinal));

            await using (var db = await factory.ForSystemAsync("test"))
            {
                // Every subscription period invoiced once (unique billing keys), and every bulk tenant invoiced by the run.
                var lines = await db.InvoiceLines.AsNoTracking().Where(l => l.BillingKey != null).Select(l => l.BillingKey!).ToListAsync();
                Assert.Equal(lines.Count, lines.Distinct().Count());
                var runInvoices = await db.Invoices.AsNoTracking().Where(i => i.BillingRunId == runId && i.Status == InvoiceStatus.Finalised).CountAsync();
                var bulkInvoiced = await db.Invoices.AsNoTracking().Where(i => i.BillingRunId == runId && bulk.Contains(i.TenantId)).Select(i => i.TenantId).Distinct().CountAsync();
                Assert.Equal(BulkTenants, bulkInvoiced);
                Assert.True(runInvoices >= BulkTenants, $"only {runInvoices} finalised invoices from the run");

                // Numbers: per series, 1..N with no gap and no duplicate.
                var numbers = await db.Invoices.AsNoTracking().Where(i => i.Number != null).Select(i => i.Number!).ToListAsync();
                foreach (var series in numbers.GroupBy(n => Regex.Replace(n, @"\d{6}$", string.Empty)))
                {
                    var values = series.Select(n => int.Parse(n[^6..], System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
                    Assert.Equal(Enumerable.Range(1, values.Count), values);
                }

                // One run row for the period was started by hand, and it completed exactly once.
                var runs = await db.BillingRuns.AsNoTracking().Where(r => r.Id == runId).ToListAsync();
                Assert.Equal(BillingRunStatus.Completed, Assert.Single(runs).Status);
            }

            // Every outbox event since the receiver subscribed reaches it at least once; duplicates (allowed:
            // at-least-once) never overlap.
            var missing = new List<string>();
            var events = await WaitAsync(async () =>
            {
                await using var db = await factory.ForSystemAsync("test");
                var keys = await db.OutboxEvents.AsNoTracking().Where(e => e.OccurredAt > subscribedFrom).Select(e => e.IdempotencyKey).ToListAsync();
                var seen = deliveries.Select(d => d.Id).ToHashSet();
                missing = keys.Where(k => !seen.Contains(k)).ToList();
                return missing.Count == 0 ? keys : null;
            }, TimeSpan.FromMinutes(2), () => $"outbox events never delivered: {string.Join(", ", missing.Take(10))}");
            Assert.True(events.Count >= 21, $"only {events.Count} events"); // 20 subscriptions through both nodes + the one while down
            foreach (var same in deliveries.GroupBy(d => d.Id).Where(g => g.Count() > 1))
            {
                var ordered = same.OrderBy(d => d.Start).ToList();
                for (var i = 1; i < ordered.Count; i++)
                {
                    Assert.True(ordered[i].Start >= ordered[i - 1].End, $"{same.Key} was delivered twice at the same moment");
                }
            }

        }
        finally
        {
            if (a is not null)
            {
                await a.DisposeAsync();
            }

            if (b is not null)
            {
                await b.DisposeAsync();
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

    private static DatabaseProvider ParseProvider(string provider) =>
        Enum.Parse<DatabaseProvider>(provider.Replace("PostgreSQL", "PostgreSql", StringComparison.Ordinal), ignoreCase: true);

    /// <summary>Adds <see cref="BulkTenants"/> Dutch company tenants of the operator's partner, each with a monthly CRM subscription started last month.</summary>
    private static async Task<List<string>> SeedBulkTenantsAsync(ScaiDbFactory factory)
    {
        await using var db = await factory.ForSystemAsync("test");
        var now = DateTimeOffset.UtcNow;
        var partner = await db.Partners.SingleAsync(p => p.Name == "ScaiLabs B.V.");
        var crm = await db.Services.SingleAsync(s => s.Slug == "scaicrm");
        var plan = await db.Plans.SingleAsync(p => p.Code == "crm-team-monthly");
        var ids = new List<string>();
        for (var i = 0; i < BulkTenants; i++)
        {
            var tenant = new Tenant(partner.Id, $"Bulk Tenant {i:D3} B.V.", now);
            db.Tenants.Add(tenant);
            db.TenantBillingProfiles.Add(new TenantBillingProfile(partner.Id, tenant.Id, tenant.Name,
                PostalAddress.Create($"Kerkstraat {i + 1}", null, "1017 GC", "Amsterdam", "NL"), null, $"billing{i}@bulk.example", now));
            db.Subscriptions.Add(Subscription.Start(partner.Id, tenant.Id, crm, plan, now.AddMonths(-1)));
            ids.Add(tenant.Id);
        }

        await db.SaveChangesAsync();
        return ids;
    }

    private static async Task<List<string>> CreateDraftsAsync(ScaiDbFactory factory, string tenantId, int count)
    {
        await using var db = await factory.ForSystemAsync("test");
        var tenant = await db.Tenants.SingleAsync(t => t.Id == tenantId);
        var provisional = new ScaiControl.Domain.Vat.VatDecision(ScaiControl.Domain.Vat.VatRule.Domestic, ScaiControl.Domain.Vat.VatCategory.S, new ScaiControl.Domain.Vat.VatRate(2100), null, null);
        var drafts = Enumerable.Range(0, count).Select(_ =>
        {
            var invoice = new Invoice(tenant.PartnerId, tenant.Id, "EUR", null, DateTimeOffset.UtcNow);
            invoice.AddLine("Consulting hour", 2, ScaiControl.Domain.Common.Money.Of(9500, "EUR"), provisional);
            return invoice;
        }).ToList();
        db.Invoices.AddRange(drafts);
        await db.SaveChangesAsync();
        return drafts.Select(d => d.Id).ToList();
    }

    private static async Task<T> WaitAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, Func<string> what)
        where T : class
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException(what());
    }
}

/// <summary>The two nodes on one PostgreSQL database (SCAI_TEST_PG).</summary>
public sealed class PostgresTwoNodeTests : TwoNodeTests
{
    /// <inheritdoc/>
    protected override string Provider => "PostgreSQL";

    /// <inheritdoc/>
    protected override async Task<(string NodeA, string NodeB)> CreateDatabaseAsync(string name)
    {
        await using (var connection = new NpgsqlConnection(PostgresApp.PgServer))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        var cs = new NpgsqlConnectionStringBuilder(PostgresApp.PgServer) { Database = name, MaxPoolSize = 40 }.ConnectionString;
        return (cs, cs);
    }

    /// <inheritdoc/>
    protected override async Task DropDatabaseAsync(string name)
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(PostgresApp.PgServer);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>The two nodes on the two-node Galera cluster (SCAI_TEST_GALERA1 / SCAI_TEST_GALERA2): node A writes through Galera node 1, node B through node 2.</summary>
public sealed class GaleraTwoNodeTests : TwoNodeTests
{
    private static string Server(int node) => Environment.GetEnvironmentVariable($"SCAI_TEST_GALERA{node}")
        ?? throw new InvalidOperationException($"SCAI_TEST_GALERA{node} is not set: run the tests through scripts/test.sh, which starts a Galera cluster.");

    /// <inheritdoc/>
    protected override string Provider => "MariaDB";

    /// <summary>Both schedulers on Galera node 1 (docs/deployment.md: Quartz's row lock is node-local on Galera); the app's own writes go through node 2.</summary>
    protected override IReadOnlyDictionary<string, string> NodeBSettings(string nodeA) => new Dictionary<string, string> { ["Jobs:ConnectionString"] = nodeA };

    /// <inheritdoc/>
    protected override async Task<(string NodeA, string NodeB)> CreateDatabaseAsync(string name)
    {
        await using (var connection = new MySqlConnector.MySqlConnection(Server(1)))
        {
            await connection.OpenAsync();
            await using var command = new MySqlConnector.MySqlCommand($"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin", connection);
            await command.ExecuteNonQueryAsync();
        }

        string For(int node) => new MySqlConnector.MySqlConnectionStringBuilder(Server(node)) { Database = name, MaximumPoolSize = 40 }.ConnectionString;
        return (For(1), For(2));
    }

    /// <inheritdoc/>
    protected override async Task DropDatabaseAsync(string name)
    {
        MySqlConnector.MySqlConnection.ClearAllPools();
        await using var connection = new MySqlConnector.MySqlConnection(Server(1));
        await connection.OpenAsync();
        await using var command = new MySqlConnector.MySqlCommand($"DROP DATABASE IF EXISTS `{name}`", connection);
        await command.ExecuteNonQueryAsync();
    }
}

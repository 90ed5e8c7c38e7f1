using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Domain.Events;
using ScaiControl.Domain.Webhooks;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Subscriptions;
using ScaiControl.Infrastructure.Tenancy;
using ScaiControl.Infrastructure.Webhooks;

namespace ScaiControl.Tests.Integration;

/// <summary>The app on Galera node 1 (SCAI_TEST_GALERA1): creates the database, migrates and seeds it. Jobs off: the tests drive them.</summary>
public sealed class GaleraNode1App(string database) : MariaDbApp
{
    public override string DatabaseName => database;

    protected override string ServerVariable => "SCAI_TEST_GALERA1";

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
        [new("Jobs:Enabled", "false"), new("Webhooks:DispatcherEnabled", "false"), new("Secrets:KeyDirectory", GaleraPair.SecretKeyDirectory(database))];
}

/// <summary>The app on Galera node 2 (SCAI_TEST_GALERA2), on the same database: it neither migrates (one node does) nor seeds.</summary>
public sealed class GaleraNode2App(string database) : MariaDbApp
{
    public override string DatabaseName => database;

    protected override string ServerVariable => "SCAI_TEST_GALERA2";

    protected override bool OwnsDatabase => false;

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
        [new("Jobs:Enabled", "false"), new("Webhooks:DispatcherEnabled", "false"), new("Database:MigrateOnStart", "false"), new("Demo:SeedOnFirstRun", "false"),
         new("Secrets:KeyDirectory", GaleraPair.SecretKeyDirectory(database))];
}

/// <summary>Two app hosts, one per Galera node, on one database (node 1 starts first and migrates; node 2 joins).</summary>
public sealed class GaleraPair : IAsyncLifetime
{
    private readonly string _database = $"scai_galera_{Guid.NewGuid():N}";

    public GaleraNode1App Node1 { get; private set; } = default!;

    public GaleraNode2App Node2 { get; private set; } = default!;

    /// <summary>The app on node 1 (0) or node 2 (1).</summary>
    public ScaiAppFactory Node(int i) => i % 2 == 0 ? Node1 : Node2;

    /// <summary>The local secret store's key ring both nodes share (as the nodes of one deployment must).</summary>
    public static string SecretKeyDirectory(string database) => Path.Combine(Path.GetTempPath(), "scai-secret-keys-" + database);

    public async Task InitializeAsync()
    {
        Node1 = new GaleraNode1App(_database);
        await ((IAsyncLifetime)Node1).InitializeAsync();
        await SyncAsync(Node2ConnectionString);
        Node2 = new GaleraNode2App(_database);
        await ((IAsyncLifetime)Node2).InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        if (Node2 is not null)
        {
            await ((IAsyncLifetime)Node2).DisposeAsync();
        }

        if (Node1 is not null)
        {
            await ((IAsyncLifetime)Node1).DisposeAsync();
        }
    }

    private string Node2ConnectionString => new MySqlConnector.MySqlConnectionStringBuilder(
        Environment.GetEnvironmentVariable("SCAI_TEST_GALERA2") ?? throw new InvalidOperationException("SCAI_TEST_GALERA2 is not set: run the tests through scripts/test.sh.")) { Database = _database }.ConnectionString;

    /// <summary>
    /// Waits until both nodes have applied every write committed anywhere in the cluster so far (a read with
    /// wsrep_sync_wait = 1 on each), so what one node wrote can be read on the other.
    /// </summary>
    public async Task SyncAsync() { await SyncAsync(Node1.ConnectionString); await SyncAsync(Node2.ConnectionString); }

    private static async Task SyncAsync(string connectionString)
    {
        await using var connection = new MySqlConnector.MySqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new MySqlConnector.MySqlCommand("SET SESSION wsrep_sync_wait = 1; SELECT COUNT(*) FROM information_schema.tables;", connection);
        await command.ExecuteScalarAsync();
    }

    /// <summary>Runs a scalar query on node 1 after a cluster-wide sync.</summary>
    public async Task<List<string>> ReadStringsAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await SyncAsync();
        await using var connection = new MySqlConnector.MySqlConnection(Node1.ConnectionString);
        await connection.OpenAsync();
        await using var command = new MySqlConnector.MySqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var values = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            values.Add(Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)!);
        }

        return values;
    }
}

/// <summary>
/// What a billing system must never get wrong, on a live two-node Galera cluster with one app host per node. Row locks
/// are local to a node; a conflicting write on the other node surfaces at COMMIT (error 1213) and the unit of work is
/// run again (docs/decisions/0008). Invoice numbers stay consecutive with no gap or duplicate, each reaper transition
/// happens once and each webhook is delivered once, whichever node does the work.
/// </summary>
public sealed class GaleraTests(GaleraPair pair) : IClassFixture<GaleraPair>
{
    [Fact]
    public async Task FiftyConcurrentFinalisations_HalfThroughEachNode_GetConsecutiveNumbers_AndTheConflictsAreRetried()
    {
        var tenant = (await pair.Node1.ActorForAsync(Api.Claire)).TenantId!;
        var drafts = await pair.Node1.CreateDraftInvoicesAsync(tenant, 50);
        await pair.SyncAsync();
        var retries = new System.Collections.Concurrent.ConcurrentBag<long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == RetriableUnits.MeterName && instrument.Name == "scai.db.retries")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "unit" && (string?)tag.Value == "finalise")
                {
                    retries.Add(value);
                }
            }
        });
        listener.Start();

        var system = Actor.System("test");
        var finalised = await Task.WhenAll(drafts.Select((id, i) => Task.Run(() => pair.Node(i).Services.GetRequiredService<InvoiceService>().FinaliseAsync(system, id))));

        var sequences = finalised.Select(i => long.Parse(i.Number![^6..], System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
        var diag = await pair.ReadStringsAsync("SELECT CONCAT(`Id`, ' ', COALESCE(`Number`, '-'), ' ', `Status`) FROM invoices WHERE `Id` IN (" + string.Join(", ", drafts.Select((_, i) => $"@p{i}")) + ")",
            drafts.Select((d, i) => ($"@p{i}", (object)d)).ToArray());
        Assert.True(sequences.Distinct().Count() == 50, string.Join("\n", finalised.Select(f => $"{f.Id} {f.Number}").Order()) + "\n----\n" + string.Join("\n", diag.Order()));
        Assert.Equal(Enumerable.Range(0, 50).Select(n => sequences[0] + n), sequences);

        // What the database holds, read after both nodes applied everything: the same 50 numbers, the counter at the last.
        var partner = finalised[0].PartnerId;
        var stored = await pair.ReadStringsAsync("SELECT `Number` FROM invoices WHERE `Id` IN (" + string.Join(", ", drafts.Select((_, i) => $"@p{i}")) + ")",
            drafts.Select((d, i) => ($"@p{i}", (object)d)).ToArray());
        Assert.Equal(finalised.Select(i => i.Number!).Order(StringComparer.Ordinal), stored.Order(StringComparer.Ordinal));
        var counter = await pair.ReadStringsAsync("SELECT `LastValue` FROM document_sequences WHERE `PartnerId` = @p AND `Series` = 'SCAI' AND `Year` = @y",
            ("@p", partner), ("@y", DateTime.UtcNow.Year));
        Assert.Equal(sequences[^1].ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.Single(counter));

        // Two nodes taking the same counter row at once must have collided at COMMIT; each collision was retried and counted.
        Assert.True(retries.Sum() > 0, "the cross-node conflicts were retried and counted (scai.db.retries, unit finalise)");
    }

    [Fact]
    public async Task TwoReapers_OnePerNode_MoveEachSubscriptionOnce()
    {
        var claire = await pair.Node1.ClientForAsync(Api.Claire);
        var plan = await claire.PlanId("scaicrm", "crm-team-monthly");
        var ids = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var sub = await claire.PostJson("/api/v1/subscriptions", new { plan_id = plan }, HttpStatusCode.Created);
            await claire.PostJson($"/api/v1/subscriptions/{sub.Str("id")}/cancel", new { at_period_end = true }, HttpStatusCode.OK);
            ids.Add(sub.Str("id"));
        }

        await pair.SyncAsync();
        var at = DateTimeOffset.UtcNow.AddMonths(2);
        var results = await Task.WhenAll(
            Task.Run(() => pair.Node1.Services.GetRequiredService<SubscriptionReaper>().RunAsync(at)),
            Task.Run(() => pair.Node2.Services.GetRequiredService<SubscriptionReaper>().RunAsync(at)));

        foreach (var id in ids)
        {
            var status = await pair.ReadStringsAsync("SELECT `Status` FROM subscriptions WHERE `Id` = @id", ("@id", id));
            Assert.Equal("Cancelled", Assert.Single(status));
            var events = await pair.ReadStringsAsync("SELECT `Id` FROM outbox_events WHERE `AggregateId` = @id AND `Topic` = @t", ("@id", id), ("@t", EventTopics.SubscriptionCancelled));
            Assert.Single(events);
        }

        // No transition anywhere (demo subscriptions included) was made, or announced, twice.
        var duplicates = await pair.ReadStringsAsync(
            "SELECT `AggregateId` FROM outbox_events WHERE `Topic` IN (@c, @s) GROUP BY `AggregateId`, `Topic` HAVING COUNT(*) > 1",
            ("@c", EventTopics.SubscriptionCancelled), ("@s", EventTopics.SubscriptionSuspended));
        Assert.Empty(duplicates);
        Assert.True(results.Sum(r => r.Cancelled) >= ids.Count);
    }

    [Fact]
    public async Task TwoWebhookDispatchers_OnePerNode_DeliverEachEventOnce()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var partner = (await pair.Node1.ActorForAsync(Api.Jonas)).PartnerId!;
        var subscriber = await SubscribeAsync(partner, receiver.Url);
        await pair.SyncAsync();

        // Events written through both nodes.
        var plan = await (await pair.Node1.ClientForAsync(Api.Jonas)).PlanId("scaicrm", "crm-team-monthly");
        for (var i = 0; i < 12; i++)
        {
            var jonas = await pair.Node(i).ClientForAsync(Api.Jonas);
            await jonas.PostJson("/api/v1/subscriptions", new { plan_id = plan }, HttpStatusCode.Created);
        }

        await pair.SyncAsync();
        async Task<int> DrainAsync(WebhookDispatcher dispatcher)
        {
            var sent = 0;
            for (var pass = 0; pass < 6; pass++)
            {
                var r = await dispatcher.RunAsync(DateTimeOffset.UtcNow);
                sent += r.Attempted;
                await Task.Delay(50);
            }

            return sent;
        }

        var sent = await Task.WhenAll(
            Task.Run(() => DrainAsync(pair.Node1.Services.GetRequiredService<WebhookDispatcher>())),
            Task.Run(() => DrainAsync(pair.Node2.Services.GetRequiredService<WebhookDispatcher>())));
        await pair.SyncAsync();
        sent[0] += (await pair.Node1.Services.GetRequiredService<WebhookDispatcher>().RunAsync(DateTimeOffset.UtcNow)).Attempted; // stragglers

        var keys = await pair.ReadStringsAsync("SELECT `IdempotencyKey` FROM webhook_deliveries WHERE `SubscriptionId` = @s", ("@s", subscriber));
        Assert.True(keys.Count >= 12, $"one delivery per event ({keys.Count})");
        var hits = receiver.Hits.Select(h => h.Id).ToList();
        Assert.Equal(keys.Order(StringComparer.Ordinal), hits.Order(StringComparer.Ordinal)); // every event once, none twice
        Assert.Equal(keys.Count, sent.Sum());
        var states = await pair.ReadStringsAsync("SELECT CONCAT(`Status`, '/', `Attempts`) FROM webhook_deliveries WHERE `SubscriptionId` = @s", ("@s", subscriber));
        Assert.All(states, s => Assert.Equal($"{nameof(WebhookDeliveryStatus.Succeeded)}/1", s));
    }

    private async Task<string> SubscribeAsync(string partnerId, string url)
    {
        var node1 = pair.Node1.Services;
        var dispatcher = node1.GetRequiredService<WebhookDispatcher>();
        await using var db = await node1.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        foreach (var other in await db.WebhookSubscriptions.Where(s => s.Enabled).ToListAsync())
        {
            other.Disable("test isolation", DateTimeOffset.UtcNow);
        }

        await db.SaveChangesAsync();
        await dispatcher.FanOutAsync(DateTimeOffset.UtcNow); // the backlog (demo data) goes to no one
        var path = $"test/{Guid.NewGuid():N}";
        await node1.GetRequiredService<ScaiControl.Infrastructure.Secrets.ISecretStore>().WriteAsync(path, StandardWebhooks.NewSecret());
        var s = new WebhookSubscription(partnerId, url, TopicFilter.Parse(["subscription.*"]), "galera test receiver", path, DateTimeOffset.UtcNow);
        db.WebhookSubscriptions.Add(s);
        await db.SaveChangesAsync();
        return s.Id;
    }
}

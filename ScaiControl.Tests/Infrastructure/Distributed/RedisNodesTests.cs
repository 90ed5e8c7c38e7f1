using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Infrastructure.Catalog;
using ScaiControl.Infrastructure.Distributed;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Tests.Integration;
using StackExchange.Redis;

namespace ScaiControl.Tests.Infrastructure.Distributed;

/// <summary>One app node of a pair: the shared SQLite file of the pair, Redis at <see cref="RedisNodes.Redis"/>, no jobs, no PDF renderer.</summary>
public sealed class RedisNodeApp(string databasePath, string redisConfiguration, string keyPrefix) : SqliteApp
{
    public override string ConnectionString => $"Data Source={databasePath}";

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
    [
        new("Redis:Configuration", redisConfiguration),
        new("Redis:KeyPrefix", keyPrefix),
        new("Jobs:Enabled", "false"),
        new("Pdf:ChromiumPath", "/nonexistent/chromium"),
        new("RateLimiting:PermitLimit", RedisNodes.PermitLimit.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("RateLimiting:Window", "00:10:00"),
    ];
}

/// <summary>A Redis server and two app nodes (A and B) sharing it and one database.</summary>
public sealed class RedisNodes : IAsyncLifetime
{
    /// <summary>The API rate limit of the pair: requests per tenant per 10 minutes.</summary>
    public const int PermitLimit = 20;

    private readonly string _dir = Directory.CreateTempSubdirectory("scai-redis-nodes-").FullName;

    public RedisServer Redis { get; } = new();

    /// <summary>The SQLite file both nodes use.</summary>
    public string DatabasePath => Path.Combine(_dir, "shared.db");

    public string KeyPrefix { get; } = $"scai-test-{Guid.NewGuid():N}:";

    public RedisNodeApp A { get; private set; } = default!;

    public RedisNodeApp B { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        await Redis.InitializeAsync();
        A = new RedisNodeApp(DatabasePath, Redis.Configuration, KeyPrefix);
        await A.InitializeAsync();
        B = new RedisNodeApp(DatabasePath, Redis.Configuration, KeyPrefix);
        await B.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)B).DisposeAsync();
        await ((IAsyncLifetime)A).DisposeAsync();
        await Redis.DisposeAsync();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Left to the system's temp cleanup.
        }
    }

    /// <summary>A separate connection to the test's Redis, for looking at what the nodes stored.</summary>
    public async Task<IDatabase> InspectAsync() => (await ConnectionMultiplexer.ConnectAsync(Redis.Configuration)).GetDatabase();
}

[CollectionDefinition(nameof(RedisNodes))]
public sealed class RedisNodesGroup : ICollectionFixture<RedisNodes>;

/// <summary>
/// Two app nodes sharing Redis (issue 10): one data-protection key ring, a shared cache invalidated through pub/sub,
/// live billing-run progress, Idempotency-Key replay and 409, one rate limit per tenant; and Redis killed mid-run.
/// </summary>
[Collection(nameof(RedisNodes))]
public sealed class RedisNodesTests(RedisNodes nodes)
{
    [Fact]
    public async Task AnAntiforgeryTokenAndASessionCookieFromNodeA_AreValidOnNodeB()
    {
        var a = nodes.A.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var b = nodes.B.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

        // The sign-in form is rendered by A (antiforgery cookie + field) and posted to B.
        var page = await a.GetAsync("/sign-in");
        var html = await page.Content.ReadAsStringAsync();
        var token = Regex.Match(html, "name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(token), "the sign-in page carries an antiforgery token");
        var antiforgeryCookie = string.Join("; ", page.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));
        using var post = new HttpRequestMessage(HttpMethod.Post, "/auth/dev-sign-in")
        {
            Content = new FormUrlEncodedContent([new("email", Api.Ops), new("__RequestVerificationToken", token)]),
        };
        post.Headers.Add("Cookie", antiforgeryCookie);
        var signIn = await b.SendAsync(post);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var session = signIn.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Single(c => c.StartsWith("scai.session", StringComparison.Ordinal));

        // B's session cookie is accepted by A.
        using var get = new HttpRequestMessage(HttpMethod.Get, "/api/v1/invoices");
        get.Headers.Add("Cookie", session);
        Assert.Equal(HttpStatusCode.OK, (await a.SendAsync(get)).StatusCode);

        // Both use the one key ring kept in Redis.
        var ring = await (await nodes.InspectAsync()).ListRangeAsync(nodes.KeyPrefix + DistributedRegistration.KeyRingKey);
        Assert.Contains(ring, k => ((string)k!).Contains("<key ", StringComparison.Ordinal));
        var secret = nodes.A.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("t").Protect("hello");
        Assert.Equal("hello", nodes.B.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("t").Unprotect(secret));
    }

    [Fact]
    public async Task ACatalogChangeOnNodeA_IsSeenOnNodeB_ThroughTheInvalidation()
    {
        var ops = await nodes.A.ActorForAsync(Api.Ops);
        var catalogB = nodes.B.Services.GetRequiredService<CatalogService>();
        var before = (await catalogB.PlansAsync(ops, "scaicms")).Single(p => p.Code == "cms-pro-monthly");

        // B serves the catalog from its cache: a change behind the services' back is not seen.
        await using (var db = await nodes.A.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test"))
        {
            await db.Plans.Where(p => p.Id == before.Id).ExecuteUpdateAsync(s => s.SetProperty(p => p.Name, "Renamed behind the cache"));
        }

        Assert.Equal(before.Name, (await catalogB.PlansAsync(ops, "scaicms")).Single(p => p.Code == "cms-pro-monthly").Name);

        // A change through A's catalog service drops the entry on every node.
        await nodes.A.Services.GetRequiredService<CatalogService>().SavePlanAsync(ops, "scaicms", "cms-pro-monthly", "Pro (new name)", before.PriceMinor, before.Currency, "month", before.TrialDays);
        var seen = await Eventually(async () => (await catalogB.PlansAsync(ops, "scaicms")).Single(p => p.Code == "cms-pro-monthly").Name, n => n == "Pro (new name)");
        Assert.Equal("Pro (new name)", seen);

        // A reads what B cached in Redis after the change (the entity comes back whole from its JSON).
        var fromRedis = (await nodes.A.Services.GetRequiredService<CatalogService>().PlansAsync(ops, "scaicms")).Single(p => p.Code == "cms-pro-monthly");
        Assert.Equal(("Pro (new name)", before.Id, before.PriceMinor, before.Currency, before.Interval), (fromRedis.Name, fromRedis.Id, fromRedis.PriceMinor, fromRedis.Currency, fromRedis.Interval));
        Assert.Equal(before.Price, fromRedis.Price);
    }

    [Fact]
    public async Task ABillingRunOnNodeA_ReportsItsProgressToAWatcherOnNodeB()
    {
        var ops = await nodes.A.ActorForAsync(Api.Ops);
        var billingA = nodes.A.Services.GetRequiredService<BillingRunService>();
        var run = await billingA.QueueAsync(ops, DateTimeOffset.UtcNow.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture));
        var updates = new System.Collections.Concurrent.ConcurrentQueue<BillingRunProgress>();
        using var watch = nodes.B.Services.GetRequiredService<BillingRunService>().WatchProgress(run.Id, updates.Enqueue);

        await billingA.ExecuteAsync(run.Id);

        var last = await Eventually(() => Task.FromResult(updates.LastOrDefault()), u => u?.Status == "completed");
        var stored = await billingA.GetAsync(ops, run.Id);
        Assert.Equal(stored.TenantsProcessed, last!.TenantsProcessed);
        Assert.Equal(stored.InvoicesFinalised, last.InvoicesFinalised);
        Assert.Contains(updates, u => u.Status == "running");
    }

    [Fact]
    public async Task AnIdempotencyKey_ReplaysTheFirstFinalisationOnTheOtherNode_AndADuplicateInFlightGets409()
    {
        var tenant = (await nodes.A.ActorForAsync(Api.Claire)).TenantId!;
        var drafts = await nodes.A.CreateDraftInvoicesAsync(tenant, 2);
        var a = await nodes.A.ClientForAsync(Api.Ops);
        var b = await nodes.B.ClientForAsync(Api.Ops);
        var key = Guid.NewGuid().ToString();

        var first = await Post(a, $"/api/v1/invoices/{drafts[0]}/finalize", key);
        var finalised = await first.Json(HttpStatusCode.OK);
        var replay = await Post(b, $"/api/v1/invoices/{drafts[0]}/finalize", key);
        Assert.Equal(finalised.ToJsonString(), (await replay.Json(HttpStatusCode.OK)).ToJsonString());
        Assert.Equal("true", replay.Headers.GetValues(ScaiControl.Web.Api.Idempotency.ReplayedHeader).Single());
        // Without the key, a second finalisation is refused: the replay did not run it again.
        (await (await b.PostAsync($"/api/v1/invoices/{drafts[0]}/finalize", null)).Problem(HttpStatusCode.Conflict)).ToString();

        // The same key for another request: 422.
        (await (await Post(b, $"/api/v1/invoices/{drafts[1]}/finalize", key)).Problem(HttpStatusCode.UnprocessableEntity)).ToString();

        // A request still running on A holds its key: the duplicate on B gets 409 and finalises nothing.
        var inFlight = Guid.NewGuid().ToString();
        var opsId = (await nodes.A.ActorForAsync(Api.Ops)).UserId;
        var held = await nodes.A.Services.GetRequiredService<IIdempotencyStore>().TryBeginAsync($"{opsId}|{inFlight}", Fingerprint("POST", $"/api/v1/invoices/{drafts[1]}/finalize"), TimeSpan.FromMinutes(1));
        Assert.True(held.Started);
        (await (await Post(b, $"/api/v1/invoices/{drafts[1]}/finalize", inFlight)).Problem(HttpStatusCode.Conflict)).ToString();
        var draft = await b.GetJson($"/api/v1/invoices/{drafts[1]}");
        Assert.Equal("draft", draft["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task ASubscribeRetriedOnTheOtherNodeWithTheSameKey_CreatesOneSubscription()
    {
        var a = await nodes.A.ClientForAsync(Api.Sam);
        var b = await nodes.B.ClientForAsync(Api.Sam);
        var plan = await a.PlanId("scaicrm", "crm-team-yearly");
        var before = (await a.GetJson("/api/v1/subscriptions?limit=200"))["items"]!.AsArray().Count;
        var key = Guid.NewGuid().ToString();

        async Task<HttpResponseMessage> Subscribe(HttpClient client)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/subscriptions") { Content = JsonContent.Create(new { plan_id = plan }) };
            request.Headers.Add(ScaiControl.Web.Api.Idempotency.Header, key);
            return await client.SendAsync(request);
        }

        var first = await Subscribe(a);
        var created = await first.Json(HttpStatusCode.Created);
        var retry = await Subscribe(b);
        var replayed = await retry.Json(HttpStatusCode.Created);

        Assert.Equal(created["id"]!.GetValue<string>(), replayed["id"]!.GetValue<string>());
        Assert.Equal(first.Headers.Location, retry.Headers.Location);
        Assert.Equal(before + 1, (await b.GetJson("/api/v1/subscriptions?limit=200"))["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task TheRateLimitCountsATenantsRequestsOnBothNodesTogether()
    {
        var a = await nodes.A.ClientForAsync(Api.Anna);
        var b = await nodes.B.ClientForAsync(Api.Anna);
        for (var i = 0; i < RedisNodes.PermitLimit; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await (i % 2 == 0 ? a : b).GetAsync("/api/v1/invoices")).StatusCode);
        }

        // Each node saw only half the limit; together the tenant used it up.
        var refused = await b.GetAsync("/api/v1/invoices");
        (await refused.Problem(HttpStatusCode.TooManyRequests)).ToString();
        Assert.True(refused.Headers.RetryAfter is not null, "Retry-After is set");
        (await (await a.GetAsync("/api/v1/invoices")).Problem(HttpStatusCode.TooManyRequests)).ToString();
    }

    [Fact]
    public async Task WithRedisKilledMidRun_RequestsSucceedAndNothingIsLost_AndTheSharedFeaturesComeBack()
    {
        var tenant = (await nodes.A.ActorForAsync(Api.Jonas)).TenantId!;
        var drafts = await nodes.A.CreateDraftInvoicesAsync(tenant, 3);
        var a = await nodes.A.ClientForAsync(Api.Jonas);
        var opsA = await nodes.A.ClientForAsync(Api.Ops);
        var opsB = await nodes.B.ClientForAsync(Api.Ops);
        await nodes.Redis.StopAsync();
        try
        {
            await Eventually(() => Task.FromResult(nodes.A.Services.GetRequiredService<SharedRedis>().IsConnected || nodes.B.Services.GetRequiredService<SharedRedis>().IsConnected), up => !up);

            // The node stays ready (200) and says Redis is degraded.
            var ready = await nodes.B.CreateClient().GetAsync("/health/ready");
            var health = await ready.Json(HttpStatusCode.OK);
            Assert.Equal("degraded", health["checks"]!["redis"]!["status"]!.GetValue<string>());
            Assert.Equal("healthy", health["checks"]!["database"]!["status"]!.GetValue<string>());

            // Reads (cache misses go to the database), writes with an Idempotency-Key, the rate limit (per node now):
            // every request succeeds.
            Assert.Equal(HttpStatusCode.OK, (await opsB.GetAsync("/api/v1/catalog/services/scaicrm/plans")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await a.GetAsync("/api/v1/invoices")).StatusCode);
            var key = Guid.NewGuid().ToString();
            var down = await (await Post(opsA, $"/api/v1/invoices/{drafts[0]}/finalize", key)).Json(HttpStatusCode.OK);
            // The key still protects the node that took it.
            var again = await Post(opsA, $"/api/v1/invoices/{drafts[0]}/finalize", key);
            Assert.Equal(down.ToJsonString(), (await again.Json(HttpStatusCode.OK)).ToJsonString());
            Assert.Equal(HttpStatusCode.OK, (await opsB.PostAsync($"/api/v1/invoices/{drafts[1]}/finalize", null)).StatusCode);

            // A billing run still reports to a watcher on its own node.
            var opsActor = await nodes.A.ActorForAsync(Api.Ops);
            var billing = nodes.A.Services.GetRequiredService<BillingRunService>();
            var run = await billing.QueueAsync(opsActor, DateTimeOffset.UtcNow.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture));
            var local = new System.Collections.Concurrent.ConcurrentQueue<BillingRunProgress>();
            using (billing.WatchProgress(run.Id, local.Enqueue))
            {
                await billing.ExecuteAsync(run.Id);
            }

            Assert.Equal("completed", local.Last().Status);

            // A node started during the outage serves forms and signs in (its key ring is kept in memory meanwhile).
            await using var late = new RedisNodeApp(nodes.DatabasePath, nodes.Redis.Configuration, nodes.KeyPrefix);
            await late.InitializeAsync();
            var form = await late.CreateClient().GetAsync("/sign-in");
            Assert.Equal(HttpStatusCode.OK, form.StatusCode);
            Assert.Contains("__RequestVerificationToken", await form.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        finally
        {
            await nodes.Redis.StartAsync();
        }

        // Nothing was lost: both finalisations are in the database with their numbers.
        var first = await opsB.GetJson($"/api/v1/invoices/{drafts[0]}");
        var second = await opsB.GetJson($"/api/v1/invoices/{drafts[1]}");
        Assert.Equal("finalised", first["status"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(second["number"]!.GetValue<string>()));

        // Back up: keys are shared across nodes again.
        await Eventually(() => Task.FromResult(nodes.A.Services.GetRequiredService<SharedRedis>().IsConnected && nodes.B.Services.GetRequiredService<SharedRedis>().IsConnected), up => up);
        var shared = Guid.NewGuid().ToString();
        var once = await (await Post(opsA, $"/api/v1/invoices/{drafts[2]}/finalize", shared)).Json(HttpStatusCode.OK);
        var replay = await Post(opsB, $"/api/v1/invoices/{drafts[2]}/finalize", shared);
        Assert.Equal(once.ToJsonString(), (await replay.Json(HttpStatusCode.OK)).ToJsonString());

        var back = await nodes.B.CreateClient().GetJson("/health/ready");
        Assert.Equal("healthy", back["checks"]!["redis"]!["status"]!.GetValue<string>());

        // And the cache is written to Redis again.
        await nodes.B.Services.GetRequiredService<CatalogService>().InvalidateAsync();
        await nodes.B.Services.GetRequiredService<CatalogService>().ServicesAsync(await nodes.B.ActorForAsync(Api.Ops));
        Assert.True(await (await nodes.InspectAsync()).KeyExistsAsync(nodes.KeyPrefix + "cache:" + CatalogService.CacheKey));
    }

    private static async Task<HttpResponseMessage> Post(HttpClient client, string url, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url);
        request.Headers.Add(ScaiControl.Web.Api.Idempotency.Header, key);
        return await client.SendAsync(request);
    }

    /// <summary>The middleware's fingerprint of a body-less request (method, path).</summary>
    private static string Fingerprint(string method, string path) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{method} {path}\n")));

    /// <summary>Reads until <paramref name="done"/> holds (messages cross nodes asynchronously), at most 15 s.</summary>
    private static async Task<T> Eventually<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var value = await read();
        for (var i = 0; i < 300 && !done(value); i++)
        {
            await Task.Delay(50);
            value = await read();
        }

        Assert.True(done(value), $"condition not reached; last value: {value}");
        return value;
    }
}

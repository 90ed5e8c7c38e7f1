using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using ScaiControl.Domain.Events;
using ScaiControl.Domain.Webhooks;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Webhooks;

namespace ScaiControl.Tests.Integration;

/// <summary>The app with the webhook job off: the tests run the dispatcher's passes themselves at chosen times.</summary>
public sealed class SqliteWebhookApp : SqliteApp
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [new("Webhooks:DispatcherEnabled", "false")];
}

/// <summary>The PostgreSQL app with the webhook job off.</summary>
public sealed class PostgresWebhookApp : PostgresApp
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [new("Webhooks:DispatcherEnabled", "false")];
}

/// <summary>The MariaDB app with the webhook job off.</summary>
public sealed class MariaDbWebhookApp : MariaDbApp
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [new("Webhooks:DispatcherEnabled", "false")];
}

/// <summary>
/// Outbound webhooks end to end against a real receiver on 127.0.0.1 that checks signatures with its own
/// HMAC-SHA256 (not <see cref="StandardWebhooks"/>): delivery, filters, partner scoping, the retry schedule at a
/// controllable clock, and two dispatchers sharing the work without double-sending.
/// </summary>
public abstract partial class WebhookTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : ScaiAppFactory
{
    private WebhookDispatcher Dispatcher => app.Services.GetRequiredService<WebhookDispatcher>();

    private ScaiDbFactory Db => app.Services.GetRequiredService<ScaiDbFactory>();

    [Fact]
    public async Task ASubscriptionActivatedEvent_FromTheApi_ReachesTheReceiver_Signed()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var partner = (await app.ActorForAsync(Api.Anna)).PartnerId!;
        var (subscriber, secret) = await SubscribeAsync(partner, receiver.Url, "subscription.*");

        var anna = await app.ClientForAsync(Api.Anna);
        var sub = await anna.PostJson("/api/v1/subscriptions", new { plan_id = await anna.PlanId("scaicms", "cms-pro-monthly") }, HttpStatusCode.Created);
        await Dispatcher.RunAsync(DateTimeOffset.UtcNow);

        await using var db = await Db.ForSystemAsync("test");
        var e = await db.OutboxEvents.SingleAsync(x => x.Topic == EventTopics.SubscriptionActivated && x.AggregateId == sub.Str("id"));
        var hit = Assert.Single(receiver.Hits, h => h.Id == e.IdempotencyKey);
        Assert.Equal(EventTopics.SubscriptionActivated, hit.Type);
        Assert.True(WebhookReceiver.Verify(secret, hit), "the signature verifies with an independent HMAC-SHA256");
        var delivery = await db.WebhookDeliveries.SingleAsync(d => d.SubscriptionId == subscriber && d.EventId == e.Id);
        Assert.Equal(WebhookDeliveryStatus.Succeeded, delivery.Status);
        Assert.Equal(1, delivery.Attempts);
        Assert.Equal(200, delivery.LastStatusCode);

        // A second run sends nothing again.
        var before = receiver.Hits.Count;
        await Dispatcher.RunAsync(DateTimeOffset.UtcNow);
        Assert.Equal(before, receiver.Hits.Count);
    }

    [Fact]
    public async Task TheTopicFilter_AndPartnerScoping_ExcludeWhatTheSubscriberDidNotAskFor()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var anna = (await app.ActorForAsync(Api.Anna)).PartnerId!;
        var sam = (await app.ActorForAsync(Api.Lars)).PartnerId!;
        Assert.NotEqual(anna, sam);
        var (packsOnly, _) = await SubscribeAsync(anna, receiver.Url, "pack_subscription.*");
        var (otherPartner, _) = await SubscribeAsync(sam, receiver.Url, "*");

        var client = await app.ClientForAsync(Api.Anna);
        await client.PostJson("/api/v1/subscriptions", new { plan_id = await client.PlanId("scaicms", "cms-pro-monthly") }, HttpStatusCode.Created);
        await Dispatcher.RunAsync(DateTimeOffset.UtcNow);

        Assert.Empty(receiver.Hits);
        await using var db = await Db.ForSystemAsync("test");
        Assert.False(await db.WebhookDeliveries.AnyAsync(d => d.SubscriptionId == packsOnly || d.SubscriptionId == otherPartner));
        Assert.False(await db.OutboxEvents.AnyAsync(e => e.FannedOutAt == null));
    }

    [Fact]
    public async Task AFailingReceiver_IsRetriedPerSchedule_ThenTheDeliveryFails()
    {
        await using var receiver = await WebhookReceiver.StartAsync(HttpStatusCode.InternalServerError);
        var partner = (await app.ActorForAsync(Api.Anna)).PartnerId!;
        var (subscriber, _) = await SubscribeAsync(partner, receiver.Url, EventTopics.SubscriptionActivated);
        var anna = await app.ClientForAsync(Api.Anna);
        await anna.PostJson("/api/v1/subscriptions", new { plan_id = await anna.PlanId("scaicms", "cms-pro-monthly") }, HttpStatusCode.Created);

        var t = DateTimeOffset.UtcNow;
        await Dispatcher.FanOutAsync(t);
        await using (var db = await Db.ForSystemAsync("test"))
        {
            Assert.Single(await db.WebhookDeliveries.Where(d => d.SubscriptionId == subscriber).ToListAsync());
        }

        await Dispatcher.DeliverAsync(t);
        Assert.Single(receiver.Hits);
        foreach (var (wait, attempt) in RetrySchedule.Delays.Select((w, i) => (w, i + 2)))
        {
            await Dispatcher.DeliverAsync(t + wait - TimeSpan.FromSeconds(1));
            Assert.Equal(attempt - 1, receiver.Hits.Count); // not yet due
            t += wait;
            await Dispatcher.DeliverAsync(t);
            Assert.Equal(attempt, receiver.Hits.Count);
        }

        await Dispatcher.DeliverAsync(t + TimeSpan.FromDays(30));
        Assert.Equal(RetrySchedule.MaxAttempts, receiver.Hits.Count);
        Assert.Single(receiver.Hits.Select(h => h.Id).Distinct()); // every retry carries the same webhook-id
        await using var check = await Db.ForSystemAsync("test");
        var delivery = await check.WebhookDeliveries.SingleAsync(d => d.SubscriptionId == subscriber);
        Assert.Equal(WebhookDeliveryStatus.Failed, delivery.Status);
        Assert.Equal(7, delivery.Attempts);
        Assert.Equal(500, delivery.LastStatusCode);
        Assert.Null(delivery.NextAttemptAt);
    }

    [Fact]
    public async Task AGoneReceiver_DisablesTheSubscriber()
    {
        await using var receiver = await WebhookReceiver.StartAsync(HttpStatusCode.Gone);
        var partner = (await app.ActorForAsync(Api.Anna)).PartnerId!;
        var (subscriber, _) = await SubscribeAsync(partner, receiver.Url, "*");
        var anna = await app.ClientForAsync(Api.Anna);
        await anna.PostJson("/api/v1/subscriptions", new { plan_id = await anna.PlanId("scaicms", "cms-pro-monthly") }, HttpStatusCode.Created);
        await Dispatcher.RunAsync(DateTimeOffset.UtcNow);

        await using var db = await Db.ForSystemAsync("test");
        var s = await db.WebhookSubscriptions.SingleAsync(x => x.Id == subscriber);
        Assert.False(s.Enabled);
        Assert.All(await db.WebhookDeliveries.Where(d => d.SubscriptionId == subscriber).ToListAsync(), d => Assert.Equal(WebhookDeliveryStatus.Failed, d.Status));
    }

    [Fact]
    public async Task TwoDispatchersAtOnce_DeliverEachDeliveryOnce()
    {
        await using var receiver = await WebhookReceiver.StartAsync(delay: TimeSpan.FromMilliseconds(100));
        var partner = (await app.ActorForAsync(Api.Claire)).PartnerId!;
        var (subscriber, _) = await SubscribeAsync(partner, receiver.Url, "subscription.*");
        var claire = await app.ClientForAsync(Api.Claire);
        var plan = await claire.PlanId("scaicrm", "crm-team-monthly");
        for (var i = 0; i < 12; i++)
        {
            await claire.PostJson("/api/v1/subscriptions", new { plan_id = plan }, HttpStatusCode.Created);
        }

        var now = DateTimeOffset.UtcNow;
        await Dispatcher.FanOutAsync(now);
        int expected;
        await using (var db = await Db.ForSystemAsync("test"))
        {
            expected = await db.WebhookDeliveries.CountAsync(d => d.SubscriptionId == subscriber);
        }

        Assert.True(expected >= 12);
        var options = app.Services.GetRequiredService<WebhookOptions>();
        var small = new WebhookOptions { SsrfProtection = options.SsrfProtection, AllowHttp = options.AllowHttp, BatchSize = 3, Parallelism = 3 };
        var http = app.Services.GetRequiredService<IHttpClientFactory>();
        WebhookDispatcher Node() => new(Db, http, small, app.Services.GetRequiredService<ScaiControl.Infrastructure.Secrets.ISecretStore>(), new ScaiControl.Infrastructure.Distributed.LocalSharedCache(), NullLogger<WebhookDispatcher>.Instance);
        async Task<int> Drain(WebhookDispatcher node)
        {
            var attempted = 0;
            while ((await node.DeliverAsync(now)) is { Attempted: > 0 } r)
            {
                attempted += r.Attempted;
            }

            return attempted;
        }

        var results = await Task.WhenAll(Task.Run(() => Drain(Node())), Task.Run(() => Drain(Node())));

        Assert.Equal(expected, receiver.Hits.Count);
        Assert.All(receiver.Hits.GroupBy(h => h.Id), g => Assert.Single(g));
        Assert.Equal(expected, results.Sum());
        // How the work splits between the two nodes depends on timing (one may drain everything before the other
        // starts), so only the exactly-once properties above are asserted.
    }

    [Fact]
    public async Task TheAdminApi_CreatesASubscriber_ReturnsTheSecretOnce_AndRefusesBadInput()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var ops = await app.ClientForAsync(Api.Ops);
        await ops.PostJson("/api/v1/admin/webhook-subscriptions", new { url = "not a url", topics = new[] { "subscription.*" } }, HttpStatusCode.UnprocessableEntity);
        await ops.PostJson("/api/v1/admin/webhook-subscriptions", new { url = receiver.Url, topics = new[] { "subscription.exploded.v1" } }, HttpStatusCode.UnprocessableEntity);
        await ops.PostJson("/api/v1/admin/webhook-subscriptions", new { url = receiver.Url, topics = Array.Empty<string>() }, HttpStatusCode.UnprocessableEntity);

        var created = await ops.PostJson("/api/v1/admin/webhook-subscriptions", new { url = receiver.Url, topics = new[] { "subscription.*" }, description = "CRM sync" }, HttpStatusCode.Created);
        Assert.StartsWith("whs_", created.Str("id"), StringComparison.Ordinal);
        Assert.StartsWith("whsec_", created.Str("secret"), StringComparison.Ordinal);

        var listed = Assert.Single((await ops.GetJson("/api/v1/admin/webhook-subscriptions")).Items(), s => s.Str("id") == created.Str("id"));
        Assert.Equal("CRM sync", listed.Str("description"));
        Assert.Null(listed["secret"]);

        var anna = await app.ClientForAsync(Api.Anna);
        var refused = await anna.PostAsJsonAsync("/api/v1/admin/webhook-subscriptions", new { url = receiver.Url, topics = new[] { "*" } });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    /// <summary>Disables every other subscriber (tests share the database), then adds one; returns its id and secret.</summary>
    private async Task<(string Id, string Secret)> SubscribeAsync(string partnerId, string url, params string[] topics)
    {
        await using var db = await Db.ForSystemAsync("test");
        foreach (var other in await db.WebhookSubscriptions.Where(s => s.Enabled).ToListAsync())
        {
            other.Disable("test isolation", DateTimeOffset.UtcNow);
        }

        await db.SaveChangesAsync();
        await Dispatcher.FanOutAsync(DateTimeOffset.UtcNow); // the backlog (demo data, earlier tests) goes to no one

        var secret = StandardWebhooks.NewSecret();
        var path = $"test/{Guid.NewGuid():N}";
        await app.Services.GetRequiredService<ScaiControl.Infrastructure.Secrets.ISecretStore>().WriteAsync(path, secret);
        var s = new WebhookSubscription(partnerId, url, TopicFilter.Parse(topics), "test receiver", path, DateTimeOffset.UtcNow);
        db.WebhookSubscriptions.Add(s);
        await db.SaveChangesAsync();
        return (s.Id, secret);
    }
}

/// <summary>What the receiver saw of one POST.</summary>
public sealed record WebhookHit(string Id, string Timestamp, string Signature, string Body)
{
    /// <summary>The body's "type".</summary>
    public string? Type => JsonNode.Parse(Body)?["type"]?.GetValue<string>();

    /// <summary>The body's "data".</summary>
    public JsonNode? Data => JsonNode.Parse(Body)?["data"];
}

/// <summary>
/// A webhook receiver on 127.0.0.1 answering every POST with <see cref="Status"/> (changeable between passes),
/// optionally a Retry-After header and a body; <see cref="Hold"/> keeps requests waiting until <see cref="Release"/>.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _server;
    private TaskCompletionSource? _gate;
    private int _arrived;

    private WebhookReceiver(WebApplication server, string url, ConcurrentQueue<WebhookHit> hits)
    {
        _server = server;
        Url = url;
        HitQueue = hits;
    }

    /// <summary>The endpoint URL.</summary>
    public string Url { get; private set; } = default!;

    /// <summary>The status answered.</summary>
    public HttpStatusCode Status { get; set; }

    /// <summary>The Retry-After header value answered, if any.</summary>
    public string? RetryAfter { get; set; }

    /// <summary>The response body, if any.</summary>
    public string? ResponseBody { get; set; }

    /// <summary>Requests that arrived (held ones included).</summary>
    public int Arrived => Volatile.Read(ref _arrived);

    private ConcurrentQueue<WebhookHit> HitQueue { get; }

    /// <summary>Every POST received and answered, in order.</summary>
    public IReadOnlyList<WebhookHit> Hits => HitQueue.ToArray();

    /// <summary>From now on requests wait (unanswered) until <see cref="Release"/>.</summary>
    public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Lets held and later requests through.</summary>
    public void Release()
    {
        var gate = _gate;
        _gate = null;
        gate?.TrySetResult();
    }

    /// <summary>Starts a receiver.</summary>
    public static async Task<WebhookReceiver> StartAsync(HttpStatusCode status = HttpStatusCode.OK, TimeSpan? delay = null)
    {
        var hits = new ConcurrentQueue<WebhookHit>();
        WebhookReceiver? self = null;
        var (server, baseUrl) = await LoopbackServer.StartAsync(web => web.MapPost("/hook", async (HttpContext ctx) =>
        {
            using var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            Interlocked.Increment(ref self!._arrived);
            if (self._gate is { } gate)
            {
                await gate.Task;
            }

            if (delay is { } d)
            {
                await Task.Delay(d);
            }

            hits.Enqueue(new WebhookHit(ctx.Request.Headers["webhook-id"].ToString(), ctx.Request.Headers["webhook-timestamp"].ToString(), ctx.Request.Headers["webhook-signature"].ToString(), body));
            if (self.RetryAfter is { } ra)
            {
                ctx.Response.Headers.RetryAfter = ra;
            }

            return self.ResponseBody is { } text ? Results.Text(text, "text/plain", statusCode: (int)self.Status) : Results.StatusCode((int)self.Status);
        }));
        self = new WebhookReceiver(server, baseUrl + "/hook", hits) { Status = status };
        return self;
    }

    /// <summary>Independent check: base64(HMAC-SHA256(key, "id.timestamp.body")) among the "v1," signatures; timestamp within 5 minutes.</summary>
    public static bool Verify(string secret, WebhookHit hit)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        using var hmac = new HMACSHA256(key);
        var expected = "v1," + Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes($"{hit.Id}.{hit.Timestamp}.{hit.Body}")));
        var fresh = Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - long.Parse(hit.Timestamp, System.Globalization.CultureInfo.InvariantCulture)) <= 300;
        return fresh && hit.Signature.Split(' ').Any(s => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s), Encoding.ASCII.GetBytes(expected)));
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _server.StopAsync();
        await _server.DisposeAsync();
    }
}

public sealed class SqliteWebhookTests(SqliteWebhookApp app) : WebhookTests<SqliteWebhookApp>(app);

public sealed class PostgresWebhookTests(PostgresWebhookApp app) : WebhookTests<PostgresWebhookApp>(app);

public sealed class MariaDbWebhookTests(MariaDbWebhookApp app) : WebhookTests<MariaDbWebhookApp>(app);

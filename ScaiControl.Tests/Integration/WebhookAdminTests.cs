using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using ScaiControl.Domain.Events;
using ScaiControl.Domain.Webhooks;
using ScaiControl.Infrastructure.Webhooks;

namespace ScaiControl.Tests.Integration;

/// <summary>
/// The webhook admin through the HTTP API (issue 5) against a real receiver: the per-attempt log, paging and
/// editing, partner scoping, secret rotation verified independently, Retry-After, replay, the test event, and a
/// dispatcher killed mid-run.
/// </summary>
public abstract partial class WebhookTests<TApp>
{
    private const string Subs = "/api/v1/admin/webhook-subscriptions";

    [Fact]
    public async Task EveryAttempt_IsLogged_WithHeadersStatusBodyExcerptAndDuration()
    {
        await using var receiver = await WebhookReceiver.StartAsync(HttpStatusCode.InternalServerError);
        receiver.ResponseBody = new string('x', 5000);
        var partner = (await app.ActorForAsync(Api.Anna)).PartnerId!;
        var (subscriber, secret) = await SubscribeAsync(partner, receiver.Url, "subscription.*");
        var anna = await app.ClientForAsync(Api.Anna);
        await anna.PostJson("/api/v1/subscriptions", new { plan_id = await anna.PlanId("scaicms", "cms-pro-monthly") }, HttpStatusCode.Created);

        var t = DateTimeOffset.UtcNow;
        await Dispatcher.RunAsync(t);
        receiver.Status = HttpStatusCode.OK;
        receiver.ResponseBody = "thanks";
        await Dispatcher.DeliverAsync(t + RetrySchedule.Delays[0]);

        var ops = await app.ClientForAsync(Api.Ops);
        var delivery = Assert.Single((await ops.GetJson($"{Subs}/{subscriber}/deliveries")).Items());
        Assert.Equal("succeeded", delivery.Str("status"));
        var log = delivery["attempt_log"]!.AsArray().Select(a => a!).ToList();
        Assert.Equal(2, log.Count);
        Assert.Equal(500, log[0]["status_code"]!.GetValue<int>());
        Assert.Equal(WebhookDeliveryAttempt.MaxExcerpt, log[0].Str("response_excerpt").Length);
        Assert.Equal("HTTP 500", log[0].Str("error"));
        Assert.Equal(200, log[1]["status_code"]!.GetValue<int>());
        Assert.Equal("thanks", log[1].Str("response_excerpt"));
        Assert.Null(log[1]["error"]);
        Assert.All(log, a => Assert.True(a["duration_ms"]!.GetValue<long>() >= 0));

        // The logged headers are the ones the receiver got, signature included.
        var hits = receiver.Hits;
        for (var i = 0; i < 2; i++)
        {
            var headers = log[i]["request_headers"]!;
            Assert.Equal(delivery.Str("idempotency_key"), headers.Str("webhook-id"));
            Assert.Equal(hits[i].Signature, headers.Str("webhook-signature"));
            Assert.Equal(hits[i].Timestamp, headers.Str("webhook-timestamp"));
            Assert.True(WebhookReceiver.Verify(secret, hits[i]));
        }

        Assert.Single((await ops.GetJson($"{Subs}/{subscriber}/deliveries?status=succeeded")).Items());
        Assert.Empty((await ops.GetJson($"{Subs}/{subscriber}/deliveries?status=failed")).Items());
        Assert.Empty((await ops.GetJson($"{Subs}/{subscriber}/deliveries?topic=pack_subscription.*")).Items());
        Assert.Single((await ops.GetJson($"{Subs}/{subscriber}/deliveries?topic=subscription.activated.v1")).Items());
        var bad = await (await ops.GetAsync($"{Subs}/{subscriber}/deliveries?status=bogus")).Problem(HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(bad["errors"]!["status"]);
    }

    [Fact]
    public async Task APartnerAdmin_CreatesPagesReadsAndEditsItsOwnSubscribers_AndBadInputWritesNothing()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var lars = await app.ClientForAsync(Api.Lars);
        var larsPartner = (await app.ActorForAsync(Api.Lars)).PartnerId!;
        var opsPartner = (await app.ActorForAsync(Api.Ops)).PartnerId!;
        var mine = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var created = await lars.PostJson(Subs, new { url = receiver.Url, topics = new[] { "subscription.*" }, description = $"sync {i}" }, HttpStatusCode.Created);
            Assert.Equal(larsPartner, created.Str("partner_id"));
            Assert.StartsWith("whsec_", created.Str("secret"), StringComparison.Ordinal);
            mine.Add(created.Str("id"));
        }

        var foreign = await (await lars.PostAsJsonAsync(Subs, new { url = receiver.Url, topics = new[] { "*" }, partner_id = opsPartner })).Problem(HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(foreign["errors"]!["partner_id"]);

        // Cursor paging: pages do not overlap and together hold every subscriber Lars may see, all his partner's.
        var seen = new List<JsonNode>();
        string? cursor = null;
        do
        {
            var page = await lars.GetJson($"{Subs}?limit=2" + (cursor is null ? string.Empty : $"&cursor={cursor}"));
            Assert.True(page.Items().Count <= 2);
            seen.AddRange(page.Items());
            cursor = page["next_cursor"]?.GetValue<string>();
        }
        while (cursor is not null);
        Assert.Equal(seen.Count, seen.Select(s => s.Str("id")).Distinct().Count());
        Assert.All(mine, id => Assert.Contains(seen, s => s.Str("id") == id));
        Assert.All(seen, s => Assert.Equal(larsPartner, s.Str("partner_id")));
        Assert.Equal(mine[^1], (await lars.GetJson($"{Subs}?limit=1")).Items()[0].Str("id")); // newest first

        var id = mine[0];
        Assert.Equal("sync 0", (await lars.GetJson($"{Subs}/{id}")).Str("description"));
        var patched = await (await lars.PatchAsJsonAsync($"{Subs}/{id}", new { description = "CRM sync" })).Json(HttpStatusCode.OK);
        Assert.Equal("CRM sync", patched.Str("description"));
        Assert.Equal(receiver.Url, patched.Str("url"));
        Assert.Equal(["subscription.*"], patched["topics"]!.AsArray().Select(t => t!.GetValue<string>()));

        async Task Refused(HttpResponseMessage response, string field)
        {
            var problem = await response.Problem(HttpStatusCode.UnprocessableEntity);
            Assert.NotNull(problem["errors"]![field]);
        }

        await Refused(await lars.PutAsJsonAsync($"{Subs}/{id}", new { url = "ftp://example.com/hook", topics = new[] { "*" } }), "url");
        await Refused(await lars.PutAsJsonAsync($"{Subs}/{id}", new { url = receiver.Url + "/new", topics = new[] { "subscription.exploded.v1" } }), "topics");
        await Refused(await lars.PatchAsJsonAsync($"{Subs}/{id}", new { topics = Array.Empty<string>() }), "topics");
        await Refused(await lars.PostAsJsonAsync($"{Subs}/{id}/replay", new { since = "yesterday" }), "since");
        await Refused(await lars.PostAsJsonAsync($"{Subs}/{id}/replay", new { status = "pending" }), "status");
        await Refused(await lars.PostAsJsonAsync($"{Subs}/{id}/replay", new { topic = "nosuch.*" }), "topic");
        var unchanged = await lars.GetJson($"{Subs}/{id}");
        Assert.Equal(receiver.Url, unchanged.Str("url"));
        Assert.Equal(["subscription.*"], unchanged["topics"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal("CRM sync", unchanged.Str("description"));

        var put = await (await lars.PutAsJsonAsync($"{Subs}/{id}", new { url = receiver.Url + "?v=2", topics = new[] { "subscription.cancelled.v1", "tenant.*" } })).Json(HttpStatusCode.OK);
        Assert.Equal(receiver.Url + "?v=2", put.Str("url"));
        Assert.Null(put["description"]); // PUT replaces: no description given clears it

        var anna = await app.ClientForAsync(Api.Anna);
        Assert.Equal(HttpStatusCode.Forbidden, (await anna.GetAsync(Subs)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await anna.GetAsync($"{Subs}/{id}")).StatusCode);
    }

    [Fact]
    public async Task APartnerAdmin_GetsNotFound_ForAnotherPartnersSubscriberAndDelivery_AndNothingChanges()
    {
        await using var receiver = await WebhookReceiver.StartAsync(HttpStatusCode.InternalServerError);
        var annaPartner = (await app.ActorForAsync(Api.Anna)).PartnerId!;
        Assert.NotEqual(annaPartner, (await app.ActorForAsync(Api.Lars)).PartnerId);
        var (subscriber, _) = await SubscribeAsync(annaPartner, receiver.Url, "subscription.*");
        var anna = await app.ClientForAsync(Api.Anna);
        await anna.PostJson("/api/v1/subscriptions", new { plan_id = await anna.PlanId("scaicms", "cms-pro-monthly") }, HttpStatusCode.Created);
        await DriveToFailedAsync(DateTimeOffset.UtcNow);
        var hitsBefore = receiver.Hits.Count;
        string deliveryId, secretPath;
        await using (var db = await Db.ForSystemAsync("test"))
        {
            deliveryId = (await db.WebhookDeliveries.SingleAsync(d => d.SubscriptionId == subscriber)).Id;
            secretPath = (await db.WebhookSubscriptions.SingleAsync(s => s.Id == subscriber)).SecretPath;
        }

        var lars = await app.ClientForAsync(Api.Lars);
        var calls = new Func<Task<HttpResponseMessage>>[]
        {
            () => lars.GetAsync($"{Subs}/{subscriber}"),
            () => lars.PatchAsJsonAsync($"{Subs}/{subscriber}", new { description = "mine now" }),
            () => lars.PutAsJsonAsync($"{Subs}/{subscriber}", new { url = receiver.Url + "/x", topics = new[] { "*" } }),
            () => lars.PostAsync($"{Subs}/{subscriber}/enable", null),
            () => lars.PostAsync($"{Subs}/{subscriber}/rotate-secret", null),
            () => lars.PostAsync($"{Subs}/{subscriber}/test", null),
            () => lars.GetAsync($"{Subs}/{subscriber}/deliveries"),
            () => lars.PostAsJsonAsync($"{Subs}/{subscriber}/replay", new { status = "failed" }),
            () => lars.PostAsync($"/api/v1/admin/webhook-deliveries/{deliveryId}/replay", null),
        };
        foreach (var call in calls)
        {
            await (await call()).Problem(HttpStatusCode.NotFound);
        }

        Assert.DoesNotContain((await lars.GetJson($"{Subs}?limit=200")).Items(), s => s.Str("id") == subscriber);
        Assert.Equal(hitsBefore, receiver.Hits.Count); // no test event went out
        await using (var db = await Db.ForSystemAsync("test"))
        {
            var s = await db.WebhookSubscriptions.SingleAsync(x => x.Id == subscriber);
            Assert.Equal(receiver.Url, s.Url);
            Assert.Equal("test receiver", s.Description);
            Assert.Equal(secretPath, s.SecretPath);
            Assert.Null(s.PreviousSecretPath);
            var d = await db.WebhookDeliveries.SingleAsync(x => x.Id == deliveryId);
            Assert.Equal(WebhookDeliveryStatus.Failed, d.Status);
            Assert.Equal(RetrySchedule.MaxAttempts, d.Attempts);
        }

        // The operator may: the same replay succeeds.
        var ops = await app.ClientForAsync(Api.Ops);
        Assert.Equal("pending", (await ops.PostJson($"/api/v1/admin/webhook-deliveries/{deliveryId}/replay", null, HttpStatusCode.OK)).Str("status"));
    }

    [Fact]
    public async Task RotatingTheSecret_SignsWithBothSecretsDuringTheOverlap_ThenOnlyTheNewOne()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var annaPartner = (await app.ActorForAsync(Api.Anna)).PartnerId!;
        await IsolateAsync();
        var ops = await app.ClientForAsync(Api.Ops);
        var created = await ops.PostJson(Subs, new { url = receiver.Url, topics = new[] { EventTopics.SubscriptionActivated }, partner_id = annaPartner }, HttpStatusCode.Created);
        var id = created.Str("id");
        var oldSecret = created.Str("secret");

        var rotated = await ops.PostJson($"{Subs}/{id}/rotate-secret", null, HttpStatusCode.OK);
        var newSecret = rotated.Str("secret");
        Assert.StartsWith("whsec_", newSecret, StringComparison.Ordinal);
        Assert.NotEqual(oldSecret, newSecret);
        var read = await ops.GetJson($"{Subs}/{id}");
        Assert.Null(read["secret"]); // shown once only
        Assert.True(read["previous_secret_expires_at"]!.GetValue<DateTimeOffset>() > DateTimeOffset.UtcNow.AddHours(23));

        var anna = await app.ClientForAsync(Api.Anna);
        var plan = await anna.PlanId("scaicms", "cms-pro-monthly");
        await anna.PostJson("/api/v1/subscriptions", new { plan_id = plan }, HttpStatusCode.Created);
        var now = DateTimeOffset.UtcNow;
        await Dispatcher.RunAsync(now);
        var during = Assert.Single(receiver.Hits);
        Assert.Equal(2, during.Signature.Split(' ').Length);
        Assert.True(WebhookReceiver.Verify(oldSecret, during), "a consumer still on the old secret accepts it");
        Assert.True(WebhookReceiver.Verify(newSecret, during), "a consumer on the new secret accepts it");

        // After the overlap window (24 h) only the new secret signs.
        await anna.PostJson("/api/v1/subscriptions", new { plan_id = plan }, HttpStatusCode.Created);
        await Dispatcher.FanOutAsync(DateTimeOffset.UtcNow);
        await Dispatcher.DeliverAsync(DateTimeOffset.UtcNow + TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1));
        var after = receiver.Hits[1];
        Assert.Single(after.Signature.Split(' '));
        Assert.True(WebhookReceiver.Verify(newSecret, after));
        Assert.False(WebhookReceiver.Verify(oldSecret, after));
    }

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    public async Task RetryAfter_On429And503_PostponesTheNextAttempt(HttpStatusCode status)
    {
        await using var receiver = await WebhookReceiver.StartAsync(status);
        receiver.RetryAfter = "3600";
        var partner = (await app.ActorForAsync(Api.Anna)).PartnerId!;
        var (subscriber, _) = await SubscribeAsync(partner, receiver.Url, EventTopics.SubscriptionActivated);
        var anna = await app.ClientForAsync(Api.Anna);
        await anna.PostJson("/api/v1/subscriptions", new { plan_id = await anna.PlanId("scaicms", "cms-pro-monthly") }, HttpStatusCode.Created);

        var t = DateTimeOffset.UtcNow;
        await Dispatcher.RunAsync(t);
        Assert.Single(receiver.Hits);
        await Dispatcher.DeliverAsync(t + RetrySchedule.Delays[0]); // the schedule alone would retry after 1 min
        await Dispatcher.DeliverAsync(t + TimeSpan.FromMinutes(59));
        Assert.Single(receiver.Hits);

        receiver.Status = HttpStatusCode.OK;
        await Dispatcher.DeliverAsync(t + TimeSpan.FromHours(1));
        Assert.Equal(2, receiver.Hits.Count);
        await using var db = await Db.ForSystemAsync("test");
        var d = await db.WebhookDeliveries.SingleAsync(x => x.SubscriptionId == subscriber);
        Assert.Equal(WebhookDeliveryStatus.Succeeded, d.Status);
        Assert.Equal(2, d.Attempts);
    }

    [Fact]
    public async Task ReplayingFailedDeliveries_SendsThemAgainWithTheSameId_AndKeepsTheAttemptLog()
    {
        await using var receiver = await WebhookReceiver.StartAsync(HttpStatusCode.InternalServerError);
        var partner = (await app.ActorForAsync(Api.Anna)).PartnerId!;
        var (subscriber, secret) = await SubscribeAsync(partner, receiver.Url, "subscription.*");
        var start = DateTimeOffset.UtcNow;
        var anna = await app.ClientForAsync(Api.Anna);
        await anna.PostJson("/api/v1/subscriptions", new { plan_id = await anna.PlanId("scaicms", "cms-pro-monthly") }, HttpStatusCode.Created);
        await DriveToFailedAsync(DateTimeOffset.UtcNow);
        Assert.Equal(RetrySchedule.MaxAttempts, receiver.Hits.Count);
        var messageId = receiver.Hits[0].Id;
        receiver.Status = HttpStatusCode.OK;

        var ops = await app.ClientForAsync(Api.Ops);
        var future = DateTimeOffset.UtcNow.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ssZ");
        Assert.Equal(0, (await ops.PostJson($"{Subs}/{subscriber}/replay", new { since = future, status = "failed" }, HttpStatusCode.OK))["replayed"]!.GetValue<int>());
        Assert.Equal(0, (await ops.PostJson($"{Subs}/{subscriber}/replay", new { topic = "subscription.cancelled.v1" }, HttpStatusCode.OK))["replayed"]!.GetValue<int>());
        var since = start.AddMinutes(-1).ToString("yyyy-MM-ddTHH:mm:ssZ");
        Assert.Equal(1, (await ops.PostJson($"{Subs}/{subscriber}/replay", new { since, topic = "subscription.*", status = "failed" }, HttpStatusCode.OK))["replayed"]!.GetValue<int>());

        await Dispatcher.DeliverAsync(DateTimeOffset.UtcNow);
        var again = receiver.Hits[^1];
        Assert.Equal(RetrySchedule.MaxAttempts + 1, receiver.Hits.Count);
        Assert.Equal(messageId, again.Id); // the consumer can de-duplicate a replay
        Assert.True(WebhookReceiver.Verify(secret, again));
        var delivery = Assert.Single((await ops.GetJson($"{Subs}/{subscriber}/deliveries")).Items());
        Assert.Equal("succeeded", delivery.Str("status"));
        Assert.Equal(RetrySchedule.MaxAttempts + 1, delivery["attempt_log"]!.AsArray().Count);

        // One delivery: a settled one is replayed; a pending one is refused (it is sent anyway).
        var one = $"/api/v1/admin/webhook-deliveries/{delivery.Str("id")}/replay";
        Assert.Equal("pending", (await ops.PostJson(one, null, HttpStatusCode.OK)).Str("status"));
        var conflict = await (await ops.PostAsync(one, null)).Problem(HttpStatusCode.Conflict);
        Assert.Equal("pending", conflict.Str("current_state"));
        await Dispatcher.DeliverAsync(DateTimeOffset.UtcNow);
        Assert.Equal(RetrySchedule.MaxAttempts + 2, receiver.Hits.Count);
        await (await ops.PostAsync("/api/v1/admin/webhook-deliveries/whd_nope/replay", null)).Problem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task SendTestEvent_PostsASignedTestEvent_RecordsTheAttempt_AndReportsAFailure()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await IsolateAsync();
        var ops = await app.ClientForAsync(Api.Ops);
        var created = await ops.PostJson(Subs, new { url = receiver.Url, topics = new[] { "*" } }, HttpStatusCode.Created);
        var id = created.Str("id");

        var result = await ops.PostJson($"{Subs}/{id}/test", null, HttpStatusCode.OK);
        Assert.True(result["succeeded"]!.GetValue<bool>());
        Assert.Equal(200, result["status_code"]!.GetValue<int>());
        Assert.True(result["duration_ms"]!.GetValue<long>() >= 0);
        var hit = Assert.Single(receiver.Hits);
        Assert.Equal(WebhookPayloads.TestTopic, hit.Type);
        Assert.Equal(result.Str("message_id"), hit.Id);
        Assert.True(WebhookReceiver.Verify(created.Str("secret"), hit));

        receiver.Status = HttpStatusCode.ServiceUnavailable;
        var failed = await ops.PostJson($"{Subs}/{id}/test", null, HttpStatusCode.OK);
        Assert.False(failed["succeeded"]!.GetValue<bool>());
        Assert.Equal(503, failed["status_code"]!.GetValue<int>());

        await using var db = await Db.ForSystemAsync("test");
        var attempts = await db.WebhookDeliveryAttempts.Where(a => a.SubscriptionId == id).ToListAsync();
        Assert.Equal(2, attempts.Count);
        Assert.All(attempts, a => Assert.Null(a.DeliveryId));
        Assert.Empty(await db.WebhookDeliveries.Where(d => d.SubscriptionId == id).ToListAsync()); // a test event is not a delivery
    }

    [Fact]
    public async Task ADispatcherKilledMidRun_LosesNothing_AnotherDeliversEverythingOnceTheLeaseRunsOut()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var partner = (await app.ActorForAsync(Api.Claire)).PartnerId!;
        var (subscriber, _) = await SubscribeAsync(partner, receiver.Url, "subscription.*");
        var claire = await app.ClientForAsync(Api.Claire);
        var plan = await claire.PlanId("scaicrm", "crm-team-monthly");
        for (var i = 0; i < 4; i++)
        {
            await claire.PostJson("/api/v1/subscriptions", new { plan_id = plan }, HttpStatusCode.Created);
        }

        var t = DateTimeOffset.UtcNow;
        await Dispatcher.FanOutAsync(t);
        List<string> expected;
        await using (var db = await Db.ForSystemAsync("test"))
        {
            expected = await db.WebhookDeliveries.Where(d => d.SubscriptionId == subscriber).Select(d => d.IdempotencyKey).ToListAsync();
        }

        Assert.True(expected.Count >= 4);

        // Node A claims everything, POSTs, and is killed while the receiver has not answered yet.
        receiver.Hold();
        using var kill = new CancellationTokenSource();
        var nodeA = Node().DeliverAsync(t, kill.Token);
        for (var i = 0; i < 1000 && receiver.Arrived < expected.Count; i++)
        {
            await Task.Delay(10);
        }

        Assert.Equal(expected.Count, receiver.Arrived);
        await kill.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => nodeA);
        await using (var db = await Db.ForSystemAsync("test"))
        {
            var rows = await db.WebhookDeliveries.AsNoTracking().Where(d => d.SubscriptionId == subscriber).ToListAsync();
            Assert.All(rows, d =>
            {
                Assert.Equal(WebhookDeliveryStatus.Pending, d.Status); // nothing recorded as delivered
                Assert.Equal(0, d.Attempts);
                Assert.Equal(t + WebhookDispatcher.Lease, d.NextAttemptAt!.Value, TimeSpan.FromMilliseconds(1));
            });
        }

        receiver.Release();

        // Node B, started while A's lease still holds, does not send the same deliveries at the same moment...
        var nodeB = Node();
        Assert.Equal(0, (await nodeB.DeliverAsync(t + TimeSpan.FromMinutes(1))).Attempted);
        // ...and once the lease has run out it delivers every one of them.
        var result = await nodeB.DeliverAsync(t + WebhookDispatcher.Lease);
        Assert.Equal(expected.Count, result.Succeeded);
        Assert.All(expected, key => Assert.Contains(receiver.Hits, h => h.Id == key));
        await using (var db = await Db.ForSystemAsync("test"))
        {
            Assert.All(await db.WebhookDeliveries.Where(d => d.SubscriptionId == subscriber).ToListAsync(), d => Assert.Equal(WebhookDeliveryStatus.Succeeded, d.Status));
        }
    }

    [Fact]
    public async Task EveryEventInTheOutbox_ConformsToItsDocumentedPayloadShape()
    {
        var anna = await app.ClientForAsync(Api.Anna);
        var sub = await anna.PostJson("/api/v1/subscriptions", new { plan_id = await anna.PlanId("scaicms", "cms-pro-monthly") }, HttpStatusCode.Created);
        await anna.PostJson($"/api/v1/subscriptions/{sub.Str("id")}/cancel", new { at_period_end = true, reason = "budget" }, HttpStatusCode.OK);

        await using var db = await Db.ForSystemAsync("test");
        var events = await db.OutboxEvents.AsNoTracking().ToListAsync();
        Assert.Contains(events, e => e.Topic == EventTopics.TenantBillingLinked);
        Assert.Contains(events, e => e.Topic == EventTopics.PartnerBillingLinked);
        Assert.Contains(events, e => e.Topic == EventTopics.SubscriptionChanged);
        var problems = events.SelectMany(e => WebhookPayloads.Check(e.Topic, JsonNode.Parse(e.PayloadJson)!.AsObject())).Distinct().ToList();
        Assert.Empty(problems);
    }

    private WebhookDispatcher Node() => new(Db, app.Services.GetRequiredService<IHttpClientFactory>(), app.Services.GetRequiredService<WebhookOptions>(),
        app.Services.GetRequiredService<ScaiControl.Infrastructure.Secrets.ISecretStore>(), new ScaiControl.Infrastructure.Distributed.LocalSharedCache(), NullLogger<WebhookDispatcher>.Instance);

    /// <summary>Runs the pending deliveries through every retry until they are failed (the receiver keeps failing).</summary>
    private async Task DriveToFailedAsync(DateTimeOffset t)
    {
        await Dispatcher.RunAsync(t);
        foreach (var wait in RetrySchedule.Delays)
        {
            t += wait;
            await Dispatcher.DeliverAsync(t);
        }
    }

    /// <summary>Disables every subscriber and fans the backlog out to no one (tests share the database).</summary>
    private async Task IsolateAsync()
    {
        await using var db = await Db.ForSystemAsync("test");
        foreach (var other in await db.WebhookSubscriptions.Where(s => s.Enabled).ToListAsync())
        {
            other.Disable("test isolation", DateTimeOffset.UtcNow);
        }

        await db.SaveChangesAsync();
        await Dispatcher.FanOutAsync(DateTimeOffset.UtcNow);
    }
}

using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Domain.Usage;
using ScaiControl.Infrastructure.Persistence;

namespace ScaiControl.Tests.Integration;

public sealed class SqliteUsageQueryTests(SqliteApp app) : UsageQueryTests<SqliteApp>(app);

public sealed class PostgresUsageQueryTests(PostgresApp app) : UsageQueryTests<PostgresApp>(app);

/// <summary>
/// The usage reads (issue 15) on SQLite and PostgreSQL: GET /api/v1/usage/summary per hour, day and period with
/// hand-computed totals, tenant-scope refusals (404) and bad ranges (422); GET /api/v1/usage/events keyset paging;
/// quotas: GET /api/v1/usage/quota, usage.quota_reached.v1 once per period (also under concurrent batches), and events
/// beyond a rejecting hard quota refused with quota_exceeded.
/// </summary>
public abstract class UsageQueryTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : ScaiAppFactory
{
    private const string Usage = "/api/v1/usage";

    private async Task<Meter> MeterAsync(string serviceSlug, MeterAggregation aggregation)
    {
        await using var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        var service = await db.Services.SingleAsync(s => s.Slug == serviceSlug);
        var meter = new Meter(service.Id, "q" + Guid.NewGuid().ToString("N")[..12], "Test meter", aggregation, "unit", null, null, DateTimeOffset.UtcNow);
        db.Meters.Add(meter);
        await db.SaveChangesAsync();
        return meter;
    }

    /// <summary>The live subscription of <paramref name="email"/>'s tenant to <paramref name="serviceSlug"/>.</summary>
    private async Task<string> SubscriptionAsync(string email, string serviceSlug)
    {
        var tenant = (await app.ActorForAsync(email)).TenantId;
        await using var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        var service = await db.Services.SingleAsync(s => s.Slug == serviceSlug);
        SubscriptionStatus[] live = [SubscriptionStatus.Trialing, SubscriptionStatus.Active, SubscriptionStatus.PastDue, SubscriptionStatus.Cancelling];
        return (await db.Subscriptions.Where(s => s.TenantId == tenant && s.ServiceId == service.Id && live.Contains(s.Status)).ToListAsync())
            .OrderByDescending(s => s.CreatedAt).First().Id;
    }

    private static string T(DateTimeOffset at) => at.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string[] Quantities(JsonNode meter) => meter["buckets"]!.AsArray().Select(b => b!.Str("quantity")).ToArray();

    [Fact]
    public async Task Summary_PerHourDayAndPeriod_AddsUpTheRollups()
    {
        var meter = await MeterAsync("scaicrm", MeterAggregation.Sum);
        var peak = await MeterAsync("scaicrm", MeterAggregation.Max);
        var anna = await app.ClientForAsync(Api.Anna);
        var subscription = await SubscriptionAsync(Api.Anna, "scaicrm");
        var day = UsageRollup.BucketOf(DateTimeOffset.UtcNow.AddDays(-3), RollupGrain.Day);
        var answer = await anna.PostJson(Usage, new
        {
            events = new object[]
            {
                new { event_id = "s1", meter = meter.Code, quantity = "1.5", timestamp = T(day.AddMinutes(70)) },
                new { event_id = "s2", meter = meter.Code, quantity = "2.25", timestamp = T(day.AddMinutes(110)) },
                new { event_id = "s3", meter = meter.Code, quantity = "3", timestamp = T(day.AddHours(5)) },
                new { event_id = "s4", meter = meter.Code, quantity = "4.000001", timestamp = T(day.AddHours(26)) },
                new { event_id = "p1", meter = peak.Code, quantity = "7", timestamp = T(day.AddMinutes(70)) },
                new { event_id = "p2", meter = peak.Code, quantity = "9.5", timestamp = T(day.AddHours(26)) },
                new { event_id = "p3", meter = peak.Code, quantity = "2", timestamp = T(day.AddHours(27)) },
            },
        }, HttpStatusCode.OK);
        Assert.Equal(7, answer["accepted"]!.GetValue<int>());

        // Hourly over [day, day+6h): 1.5 + 2.25 in hour 1, 3 in hour 5.
        var hourly = await anna.GetJson($"{Usage}/summary?subscription_id={subscription}&meter={meter.Code}&granularity=hour&from={T(day)}&to={T(day.AddHours(6))}");
        var hm = hourly["meters"]!.AsArray().Single()!;
        Assert.Equal(["0", "3.75", "0", "0", "0", "3"], Quantities(hm));
        Assert.Equal("6.75", hm.Str("total"));
        Assert.Equal(3, hm["events"]!.GetValue<long>());

        // Daily over two days: 6.75 and 4.000001.
        var daily = await anna.GetJson($"{Usage}/summary?subscription_id={subscription}&meter={meter.Code}&granularity=day&from={T(day)}&to={T(day.AddDays(2))}");
        var dm = daily["meters"]!.AsArray().Single()!;
        Assert.Equal(["6.75", "4.000001"], Quantities(dm));
        Assert.Equal("10.750001", dm.Str("total"));

        // One period bucket over both days, for every meter of the service: sum 10.750001, max 9.5.
        var period = await anna.GetJson($"{Usage}/summary?subscription_id={subscription}&granularity=period&from={T(day)}&to={T(day.AddDays(2))}");
        var meters = period["meters"]!.AsArray();
        Assert.Equal(["10.750001"], Quantities(meters.Single(m => m!.Str("meter") == meter.Code)!));
        Assert.Equal(["9.5"], Quantities(meters.Single(m => m!.Str("meter") == peak.Code)!));
        Assert.Equal(4, meters.Single(m => m!.Str("meter") == meter.Code)!["buckets"]![0]!["events"]!.GetValue<long>());
        Assert.Equal("period", period.Str("granularity"));
    }

    [Fact]
    public async Task Summary_OfAnotherTenantsSubscription_Is404_AndBadRanges422()
    {
        var subscription = await SubscriptionAsync(Api.Anna, "scaicrm");
        var day = UsageRollup.BucketOf(DateTimeOffset.UtcNow.AddDays(-3), RollupGrain.Day);
        var range = $"from={T(day)}&to={T(day.AddDays(1))}";

        var jonas = await app.ClientForAsync(Api.Jonas);
        await (await jonas.GetAsync($"{Usage}/summary?subscription_id={subscription}&{range}")).Problem(HttpStatusCode.NotFound);
        var lars = await app.ClientForAsync(Api.Lars); // another partner
        await (await lars.GetAsync($"{Usage}/summary?subscription_id={subscription}&{range}")).Problem(HttpStatusCode.NotFound);
        var ops = await app.ClientForAsync(Api.Ops);
        Assert.Equal(subscription, (await ops.GetJson($"{Usage}/summary?subscription_id={subscription}&{range}")).Str("subscription_id"));

        var anna = await app.ClientForAsync(Api.Anna);
        foreach (var bad in new[]
        {
            $"subscription_id={subscription}&granularity=week",
            $"subscription_id={subscription}&from={T(day.AddDays(1))}&to={T(day)}",
            $"subscription_id={subscription}&granularity=hour&from={T(day.AddMinutes(30))}&to={T(day.AddHours(2))}",
            $"subscription_id={subscription}&granularity=day&from={T(day.AddHours(1))}&to={T(day.AddDays(1))}",
            $"subscription_id={subscription}&granularity=hour&from={T(day.AddDays(-100))}&to={T(day)}",
            $"subscription_id={subscription}&from=yesterday",
            $"subscription_id={subscription}&meter=no_such_meter",
            "granularity=day",
        })
        {
            await (await anna.GetAsync($"{Usage}/summary?{bad}")).Problem(HttpStatusCode.UnprocessableEntity);
        }
    }

    [Fact]
    public async Task Events_PageInKeyOrder_WithoutGapsOrRepeats()
    {
        var meter = await MeterAsync("scaicrm", MeterAggregation.Count);
        var anna = await app.ClientForAsync(Api.Anna);
        var subscription = await SubscriptionAsync(Api.Anna, "scaicrm");
        var at = UsageRollup.BucketOf(DateTimeOffset.UtcNow.AddHours(-2), RollupGrain.Hour);
        var ids = new[] { "ev-07", "ev-03", "ev-01", "ev-05", "ev-02", "ev-06", "ev-04" };
        await anna.PostJson(Usage, new { events = ids.Select((id, i) => new { event_id = id, meter = meter.Code, quantity = 1, timestamp = T(at.AddMinutes(i)) }).ToArray() }, HttpStatusCode.OK);

        var seen = new List<string>();
        var pages = 0;
        string? cursor = null;
        do
        {
            var page = await anna.GetJson($"{Usage}/events?subscription_id={subscription}&meter={meter.Code}&limit=3" + (cursor is null ? "" : "&cursor=" + cursor));
            var items = page["items"]!.AsArray();
            Assert.True(items.Count <= 3);
            seen.AddRange(items.Select(i => i!.Str("event_id")));
            cursor = page["next_cursor"]?.GetValue<string>();
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(ids.Order(StringComparer.Ordinal), seen);

        // A time range narrows the listing; a forged cursor and another tenant are refused.
        var ranged = await anna.GetJson($"{Usage}/events?subscription_id={subscription}&meter={meter.Code}&from={Uri.EscapeDataString(at.AddMinutes(2).ToString("O"))}&to={Uri.EscapeDataString(at.AddMinutes(4).ToString("O"))}");
        Assert.Equal(["ev-01", "ev-05"], ranged["items"]!.AsArray().Select(i => i!.Str("event_id")).ToArray());
        await (await anna.GetAsync($"{Usage}/events?subscription_id={subscription}&cursor=%21%21")).Problem(HttpStatusCode.UnprocessableEntity);
        await (await anna.GetAsync($"{Usage}/events?subscription_id={subscription}&limit=0")).Problem(HttpStatusCode.UnprocessableEntity);
        var jonas = await app.ClientForAsync(Api.Jonas);
        await (await jonas.GetAsync($"{Usage}/events?subscription_id={subscription}")).Problem(HttpStatusCode.NotFound);
    }

    private async Task<(Meter Meter, string Subscription)> ChargedMeterAsync(MeterAggregation aggregation, long? soft, long? hard, bool reject)
    {
        var meter = await MeterAsync("scaicrm", aggregation);
        var subscription = await SubscriptionAsync(Api.Anna, "scaicrm");
        await using var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        var plan = await db.Subscriptions.Where(s => s.Id == subscription).Select(s => s.PlanId).SingleAsync();
        db.PlanUsageCharges.Add(new PlanUsageCharge(plan, meter.Id, new UsageChargeTerms(UsagePriceModel.PerUnit, UnitPriceMicroMinor: 100_000), null, soft, hard, reject, DateTimeOffset.UtcNow));
        await db.SaveChangesAsync();
        return (meter, subscription);
    }

    private async Task<int> QuotaEventsAsync(string meterId)
    {
        await using var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        return (await db.OutboxEvents.IgnoreQueryFilters().Where(e => e.Topic == "usage.quota_reached.v1").ToListAsync())
            .Count(e => JsonNode.Parse(e.PayloadJson)!.Str("meter_id") == meterId);
    }

    private static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static object[] Batch(Meter meter, params string[] ids) => ids.Select(id => (object)new { event_id = id, meter = meter.Code, quantity = 1, timestamp = Now() }).ToArray();

    private static string[] Statuses(JsonNode answer) => answer["results"]!.AsArray().Select(r => r!.Str("status") + (r!["code"] is { } c ? ":" + c.GetValue<string>() : "")).ToArray();

    [Fact]
    public async Task Quotas_SoftIsToldOncePerPeriod_AndEventsBeyondARejectingHardQuotaAreRefused()
    {
        var (meter, subscription) = await ChargedMeterAsync(MeterAggregation.Count, soft: 3, hard: 5, reject: true);
        var anna = await app.ClientForAsync(Api.Anna);
        var quota = $"{Usage}/quota?meter={meter.Code}";
        var q0 = await anna.GetJson(quota);
        Assert.Equal(("0", "ok", 3L, 5L, subscription), (q0.Str("used"), q0.Str("state"), q0["soft_limit"]!.GetValue<long>(), q0["hard_limit"]!.GetValue<long>(), q0.Str("subscription_id")));

        await anna.PostJson(Usage, new { events = Batch(meter, "q1", "q2") }, HttpStatusCode.OK);
        Assert.Equal("ok", (await anna.GetJson(quota)).Str("state"));
        Assert.Equal(0, await QuotaEventsAsync(meter.Id));

        await anna.PostJson(Usage, new { events = Batch(meter, "q3", "q4") }, HttpStatusCode.OK);
        var q1 = await anna.GetJson(quota);
        Assert.Equal(("4", "soft_reached"), (q1.Str("used"), q1.Str("state")));
        Assert.Equal(1, await QuotaEventsAsync(meter.Id));

        // The fifth event fills the hard quota; the sixth and seventh are refused, a retry of an accepted one stays a duplicate.
        var full = await anna.PostJson(Usage, new { events = Batch(meter, "q5", "q6", "q2", "q7") }, HttpStatusCode.OK);
        Assert.Equal(["accepted", "rejected:quota_exceeded", "duplicate", "rejected:quota_exceeded"], Statuses(full));
        var q2 = await anna.GetJson(quota);
        Assert.Equal(("5", "hard_reached"), (q2.Str("used"), q2.Str("state")));
        Assert.Equal(1, await QuotaEventsAsync(meter.Id));

        // Another tenant's (or another partner's) quota is not found; a quota without meter is 422.
        var acme = (await app.ActorForAsync(Api.Anna)).TenantId;
        await (await (await app.ClientForAsync(Api.Jonas)).GetAsync($"{quota}&tenant_id={acme}")).Problem(HttpStatusCode.NotFound);
        await (await (await app.ClientForAsync(Api.Lars)).GetAsync($"{quota}&tenant_id={acme}")).Problem(HttpStatusCode.NotFound);
        Assert.Equal("hard_reached", (await (await app.ClientForAsync(Api.Ops)).GetJson($"{quota}&tenant_id={acme}")).Str("state"));
        await (await anna.GetAsync($"{Usage}/quota")).Problem(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task SoftQuota_CrossedByConcurrentBatches_IsEmittedExactlyOnce()
    {
        var (meter, _) = await ChargedMeterAsync(MeterAggregation.Count, soft: 2, hard: null, reject: false);
        var anna = await app.ClientForAsync(Api.Anna);
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => anna.PostJson(Usage, new { events = Batch(meter, $"c{i}a", $"c{i}b") }, HttpStatusCode.OK)));

        Assert.Equal(16, answers.Sum(a => a["accepted"]!.GetValue<int>()));
        Assert.Equal(1, await QuotaEventsAsync(meter.Id));
        Assert.Equal("soft_reached", (await anna.GetJson($"{Usage}/quota?meter={meter.Code}")).Str("state"));
    }
}

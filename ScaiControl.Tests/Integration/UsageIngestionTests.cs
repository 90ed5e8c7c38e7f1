using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Domain.Usage;
using ScaiControl.Infrastructure.Persistence;

namespace ScaiControl.Tests.Integration;

public sealed class SqliteUsageIngestionTests(SqliteApp app) : UsageIngestionTests<SqliteApp>(app);

public sealed class PostgresUsageIngestionTests(PostgresApp app) : UsageIngestionTests<PostgresApp>(app);

public sealed class MariaDbUsageIngestionTests(MariaDbApp app) : UsageIngestionTests<MariaDbApp>(app);

/// <summary>
/// POST /api/v1/usage (issue 15) on each provider: per-event answers, the valid events of a batch kept, dedup by
/// (tenant, source, event_id) through the provider's insert-ignore (also under 8 concurrent senders of the same
/// batch), roll-ups maintained in the same transaction, cross-tenant and cross-partner refusals, 400/413/422.
/// </summary>
public abstract class UsageIngestionTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : ScaiAppFactory
{
    private const string Usage = "/api/v1/usage";

    private async Task<Meter> MeterAsync(string serviceSlug, MeterAggregation aggregation, string? uniqueProperty = null, Dictionary<string, string>? filters = null)
    {
        await using var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        var service = await db.Services.SingleAsync(s => s.Slug == serviceSlug);
        var meter = new Meter(service.Id, "m" + Guid.NewGuid().ToString("N")[..12], "Test meter", aggregation, "unit", uniqueProperty, filters, DateTimeOffset.UtcNow);
        db.Meters.Add(meter);
        await db.SaveChangesAsync();
        return meter;
    }

    private async Task<List<UsageRollup>> RollupsAsync(string meterId)
    {
        await using var db = app.Services.GetRequiredService<ScaiDbFactory>().ForPlatform("test");
        return await db.UsageRollups.IgnoreQueryFilters().Where(r => r.MeterId == meterId).ToListAsync();
    }

    private async Task<int> StoredAsync(string meterId)
    {
        await using var db = app.Services.GetRequiredService<ScaiDbFactory>().ForPlatform("test");
        return await db.UsageEvents.IgnoreQueryFilters().CountAsync(e => e.MeterId == meterId);
    }

    private static string Now(int minutes = 0) => DateTimeOffset.UtcNow.AddMinutes(minutes).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static string[] Statuses(JsonNode answer) => answer["results"]!.AsArray().Select(r => r!.Str("status") + (r!["code"] is { } c ? ":" + c.GetValue<string>() : "")).ToArray();

    [Fact]
    public async Task AMixedBatch_KeepsTheValidEvents_AndSaysWhyEachOtherWasRejected()
    {
        var meter = await MeterAsync("scaicrm", MeterAggregation.Count);
        var anna = await app.ClientForAsync(Api.Anna);
        var bergmann = (await app.ActorForAsync(Api.Jonas)).TenantId;
        var answer = await anna.PostJson(Usage, new
        {
            events = new object[]
            {
                new { event_id = "a1", meter = meter.Code, quantity = 1, timestamp = Now() },
                new { event_id = "a1", meter = meter.Code, quantity = 1, timestamp = Now() },
                new { event_id = "a2", meter = "no_such_meter", quantity = 1, timestamp = Now() },
                new { event_id = "a3", meter = meter.Code, quantity = "1.5e3", timestamp = Now() },
                new { event_id = "a4", meter = meter.Code, quantity = 1, timestamp = Now(10) },
                new { event_id = "a5", meter = meter.Code, quantity = 1, timestamp = Now(-60 * 24 * 60) },
                new { event_id = "a6", meter = meter.Code, quantity = 1, timestamp = Now(), tenant_id = bergmann },
                new { event_id = "a7", meter = meter.Code, quantity = 1, timestamp = "2026-12-01 10:00:00" },
                new { event_id = "a8", meter = meter.Code, quantity = "99999999999", timestamp = Now() },
                new { event_id = "a9", meter = meter.Code, quantity = "2", timestamp = Now(-1) },
            },
        }, HttpStatusCode.OK);

        Assert.Equal(
            ["accepted", "duplicate", "rejected:unknown_meter", "rejected:bad_quantity", "rejected:timestamp_in_future", "rejected:timestamp_too_old",
             "rejected:not_your_tenant", "rejected:bad_timestamp", "rejected:bad_quantity", "accepted"],
            Statuses(answer));
        Assert.Equal(2, answer["accepted"]!.GetValue<int>());
        Assert.Equal(7, answer["rejected"]!.GetValue<int>());
        Assert.All(answer["results"]!.AsArray().Where(r => r!.Str("status") == "rejected"), r => Assert.False(string.IsNullOrWhiteSpace(r!.Str("reason"))));
        Assert.Equal(2, await StoredAsync(meter.Id));
        var rollups = await RollupsAsync(meter.Id);
        Assert.Equal(2, rollups.Where(r => r.Grain == RollupGrain.Day).Sum(r => r.EventCount));
        Assert.Equal(2, rollups.Where(r => r.Grain == RollupGrain.Hour).Sum(r => r.EventCount));

        // A retry of the whole batch is safe: duplicates, nothing counted again.
        var retry = await anna.PostJson(Usage, new { events = new object[] { new { event_id = "a1", meter = meter.Code, quantity = 1, timestamp = Now() } } }, HttpStatusCode.OK);
        Assert.Equal(["duplicate"], Statuses(retry));
        Assert.Equal(2, (await RollupsAsync(meter.Id)).Where(r => r.Grain == RollupGrain.Hour).Sum(r => r.EventCount));
    }

    [Fact]
    public async Task TheSameBatchFrom8ThreadsAtOnce_IsCountedOnce()
    {
        var meter = await MeterAsync("scaicrm", MeterAggregation.Sum);
        var anna = await app.ClientForAsync(Api.Anna);
        var at = DateTimeOffset.UtcNow.AddMinutes(-2);
        var batch = new
        {
            events = Enumerable.Range(0, 300).Select(i => new { event_id = $"e-{i}", meter = meter.Code, quantity = "0.5", timestamp = at.AddSeconds(-i).ToString("O") }).ToArray(),
        };
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ => await anna.PostJson(Usage, batch, HttpStatusCode.OK)));

        Assert.Equal(300, answers.Sum(a => a["accepted"]!.GetValue<int>()));
        Assert.Equal(300 * 8 - 300, answers.Sum(a => a["duplicates"]!.GetValue<int>()));
        Assert.Equal(300, await StoredAsync(meter.Id));
        var rollups = await RollupsAsync(meter.Id);
        Assert.Equal(300, rollups.Where(r => r.Grain == RollupGrain.Day).Sum(r => r.EventCount));
        Assert.Equal(300, rollups.Where(r => r.Grain == RollupGrain.Hour).Sum(r => r.EventCount));
        Assert.Equal(150 * UsageQuantity.PerUnit, rollups.Where(r => r.Grain == RollupGrain.Hour).Sum(r => r.QuantityMicro));
    }

    [Fact]
    public async Task RollUps_KeepSumMaxLatestAndDistinctValues_Exactly()
    {
        var sum = await MeterAsync("scaidrive", MeterAggregation.Max);
        var unique = await MeterAsync("scaidrive", MeterAggregation.UniqueCount, uniqueProperty: "user");
        var anna = await app.ClientForAsync(Api.Anna);
        var hour = UsageRollup.BucketOf(DateTimeOffset.UtcNow.AddMinutes(-30), RollupGrain.Hour);
        string T(int minute) => hour.AddMinutes(minute).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        await anna.PostJson(Usage, new
        {
            events = new object[]
            {
                new { event_id = "s1", meter = sum.Code, quantity = "1.5", timestamp = T(1) },
                new { event_id = "s2", meter = sum.Code, quantity = 7.25, timestamp = T(2) },
                new { event_id = "u1", meter = unique.Code, quantity = 1, timestamp = T(1), properties = new { user = "ann" } },
                new { event_id = "u2", meter = unique.Code, quantity = 1, timestamp = T(2), properties = new { user = "bob" } },
                new { event_id = "u3", meter = unique.Code, quantity = 1, timestamp = T(3), properties = new { user = "ann" } },
                new { event_id = "u4", meter = unique.Code, quantity = 1, timestamp = T(4) },
            },
        }, HttpStatusCode.OK);
        await anna.PostJson(Usage, new { events = new object[] { new { event_id = "s3", meter = sum.Code, quantity = "0.000001", timestamp = T(3) } } }, HttpStatusCode.OK);

        var h = (await RollupsAsync(sum.Id)).Single(r => r.Grain == RollupGrain.Hour);
        Assert.Equal(8_750_001, h.QuantityMicro);
        Assert.Equal(7_250_000, h.MaxMicro);
        Assert.Equal(1, h.LatestMicro); // the event with the latest timestamp (s3 at minute 3), though it arrived in another batch
        Assert.Equal(3, h.EventCount);
        var u = await RollupsAsync(unique.Id);
        Assert.Equal(2, u.Single(r => r.Grain == RollupGrain.Day).UniqueCount); // ann and bob; u4 had no user and was rejected
        Assert.Equal(3, await StoredAsync(unique.Id));
    }

    [Fact]
    public async Task APartnerReportsOnlyForItsOwnTenants_AndATenantOnlyForItself()
    {
        var cms = await MeterAsync("scaicms", MeterAggregation.Count);
        var lars = await app.ClientForAsync(Api.Lars);
        var fjord = (await app.ActorForAsync(Api.Eva)).TenantId;
        var acme = (await app.ActorForAsync(Api.Anna)).TenantId;
        var bergmann = (await app.ActorForAsync(Api.Jonas)).TenantId;
        var answer = await lars.PostJson(Usage, new
        {
            events = new object[]
            {
                new { event_id = "p1", tenant_id = fjord, meter = cms.Code, quantity = 1, timestamp = Now() },
                new { event_id = "p2", tenant_id = bergmann, meter = cms.Code, quantity = 1, timestamp = Now() },
                new { event_id = "p3", meter = cms.Code, quantity = 1, timestamp = Now() },
                new { event_id = "p4", tenant_id = "tnt_nonexistent", meter = cms.Code, quantity = 1, timestamp = Now() },
            },
        }, HttpStatusCode.OK);
        Assert.Equal(["accepted", "rejected:not_your_tenant", "rejected:not_your_tenant", "rejected:not_your_tenant"], Statuses(answer));

        // Anna has no subscription to ScaiCMS, and may not report for Bergmann (who has one).
        var anna = await app.ClientForAsync(Api.Anna);
        var own = await anna.PostJson(Usage, new
        {
            events = new object[]
            {
                new { event_id = "p5", meter = cms.Code, quantity = 1, timestamp = Now() },
                new { event_id = "p6", tenant_id = bergmann, meter = cms.Code, quantity = 1, timestamp = Now() },
                new { event_id = "p7", tenant_id = acme, meter = cms.Code, quantity = 1, timestamp = Now() },
            },
        }, HttpStatusCode.OK);
        Assert.Equal(["rejected:no_subscription", "rejected:not_your_tenant", "rejected:no_subscription"], Statuses(own));
        Assert.Equal(1, await StoredAsync(cms.Id));
    }

    [Fact]
    public async Task BadRequests_Are400_413_422_AndWriteNothing()
    {
        var meter = await MeterAsync("scaicrm", MeterAggregation.Count);
        var anna = await app.ClientForAsync(Api.Anna);
        var malformed = await anna.PostAsync(Usage, new StringContent("{\"events\": [", System.Text.Encoding.UTF8, "application/json"));
        await malformed.Problem(HttpStatusCode.BadRequest);
        var noEvents = await anna.PostAsync(Usage, new StringContent("{\"evnts\": []}", System.Text.Encoding.UTF8, "application/json"));
        await noEvents.Problem(HttpStatusCode.UnprocessableEntity);
        var empty = await anna.PostAsync(Usage, new StringContent("{\"events\": []}", System.Text.Encoding.UTF8, "application/json"));
        await empty.Problem(HttpStatusCode.UnprocessableEntity);
        var tooMany = await anna.PostAsJsonAsync(Usage, new
        {
            events = Enumerable.Range(0, 1001).Select(i => new { event_id = $"x{i}", meter = meter.Code, quantity = 1, timestamp = Now() }).ToArray(),
        });
        await tooMany.Problem(HttpStatusCode.RequestEntityTooLarge);
        var shapes = await anna.PostJson(Usage, new object[] { 42, new { event_id = 7, meter = meter.Code, quantity = 1, timestamp = Now() }, new { event_id = "ok", meter = meter.Code, quantity = true, timestamp = Now() } }, HttpStatusCode.OK);
        Assert.Equal(["rejected:malformed", "rejected:malformed", "rejected:bad_quantity"], Statuses(shapes));
        Assert.Equal(0, await StoredAsync(meter.Id));

        var jonas = await app.ClientForAsync(Api.Jonas);
        var eva = await app.ClientForAsync(Api.Eva);
        Assert.NotEqual(HttpStatusCode.InternalServerError, (await eva.PostAsJsonAsync(Usage, new { events = new[] { new { event_id = "z", meter = meter.Code, quantity = 1, timestamp = Now() } } })).StatusCode);
        Assert.NotEqual(HttpStatusCode.InternalServerError, (await jonas.PostAsJsonAsync(Usage, new { events = new[] { new { event_id = "z", meter = meter.Code, quantity = 1, timestamp = Now() } } })).StatusCode);
    }
}

using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Domain.Events;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Subscriptions;

namespace ScaiControl.Tests.Integration;

/// <summary>The reaper at a controllable clock (no sleeping), resume/suspend/unsuspend, and the lifecycle history.</summary>
public abstract class LifecycleTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : ScaiAppFactory
{
    private SubscriptionReaper Reaper => app.Services.GetRequiredService<SubscriptionReaper>();

    [Fact]
    public async Task AScheduledCancellation_TakesEffectWhenThePeriodHasEnded_Once()
    {
        var anna = await app.ClientForAsync(Api.Anna);
        var sub = await anna.PostJson("/api/v1/subscriptions", new { plan_id = await anna.PlanId("scaicms", "cms-pro-monthly") }, HttpStatusCode.Created);
        var cancelling = await anna.PostJson($"/api/v1/subscriptions/{sub.Str("id")}/cancel", new { at_period_end = true, reason = "Moving on" }, HttpStatusCode.OK);
        var periodEnd = DateTimeOffset.Parse(cancelling.Str("current_period_end"), System.Globalization.CultureInfo.InvariantCulture);

        await Reaper.RunAsync(periodEnd.AddSeconds(-1));
        Assert.Equal("cancelling", (await anna.GetJson($"/api/v1/subscriptions/{sub.Str("id")}")).Str("status"));

        await Reaper.RunAsync(periodEnd);
        await Reaper.RunAsync(periodEnd.AddDays(3)); // catching up again changes nothing
        var after = await anna.GetJson($"/api/v1/subscriptions/{sub.Str("id")}");
        Assert.Equal("cancelled", after.Str("status"));
        Assert.Equal("Moving on", after.Str("cancellation_reason"));
        Assert.Equal(1, await EventsAsync(sub.Str("id"), EventTopics.SubscriptionCancelled));

        var history = (await anna.GetJson($"/api/v1/subscriptions/{sub.Str("id")}/history")).Items();
        Assert.Equal(["active", "cancelling", "cancelled"], history.Select(h => h.Str("to")));
        Assert.Equal("system:reaper", history[^1].Str("actor"));
        Assert.Equal((await app.ActorForAsync(Api.Anna)).UserId, history[1].Str("actor"));
    }

    [Fact]
    public async Task ATrial_BecomesActiveAtItsEnd_AndTheFirstPaidPeriodStartsThere()
    {
        var sam = await app.ClientForAsync(Api.Sam);
        var sub = await sam.PostJson("/api/v1/subscriptions", new { plan_id = await sam.PlanId("scaidrive", "drive-starter-monthly") }, HttpStatusCode.Created);
        Assert.Equal("trialing", sub.Str("status"));
        var trialEnd = DateTimeOffset.Parse(sub.Str("trial_end"), System.Globalization.CultureInfo.InvariantCulture);

        await Reaper.RunAsync(trialEnd.AddMinutes(5));
        var active = await sam.GetJson($"/api/v1/subscriptions/{sub.Str("id")}");
        Assert.Equal("active", active.Str("status"));
        Assert.Equal(trialEnd, DateTimeOffset.Parse(active.Str("current_period_start"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(2, await EventsAsync(sub.Str("id"), EventTopics.SubscriptionActivated)); // trial start, then conversion
    }

    [Fact]
    public async Task TwoReapersAtTheSameMoment_MoveEachSubscriptionOnce()
    {
        var claire = await app.ClientForAsync(Api.Claire);
        var plan = await claire.PlanId("scaicrm", "crm-team-monthly");
        var ids = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            var sub = await claire.PostJson("/api/v1/subscriptions", new { plan_id = plan }, HttpStatusCode.Created);
            await claire.PostJson($"/api/v1/subscriptions/{sub.Str("id")}/cancel", new { at_period_end = true }, HttpStatusCode.OK);
            ids.Add(sub.Str("id"));
        }

        var at = DateTimeOffset.UtcNow.AddMonths(2);
        var results = await Task.WhenAll(Task.Run(() => Reaper.RunAsync(at)), Task.Run(() => Reaper.RunAsync(at)));

        foreach (var id in ids)
        {
            Assert.Equal("cancelled", (await claire.GetJson($"/api/v1/subscriptions/{id}")).Str("status"));
            Assert.Equal(1, await EventsAsync(id, EventTopics.SubscriptionCancelled));
        }

        Assert.True(results.Sum(r => r.Cancelled) >= ids.Count);
    }

    [Fact]
    public async Task ResumeSuspendAndUnsuspend_FollowTheTable()
    {
        var jonas = await app.ClientForAsync(Api.Jonas);
        var ops = await app.ClientForAsync(Api.Ops);
        var sub = await jonas.PostJson("/api/v1/subscriptions", new { plan_id = await jonas.PlanId("scaicrm", "crm-team-yearly") }, HttpStatusCode.Created);
        var id = sub.Str("id");
        await jonas.PostJson($"/api/v1/subscriptions/{id}/cancel", new { at_period_end = true }, HttpStatusCode.OK);
        Assert.Equal("active", (await jonas.PostJson($"/api/v1/subscriptions/{id}/resume", null, HttpStatusCode.OK)).Str("status"));
        var notCancelling = await (await jonas.PostAsync($"/api/v1/subscriptions/{id}/resume", null)).Problem(HttpStatusCode.Conflict);
        Assert.Equal("active", notCancelling.Str("current_state"));

        Assert.Equal(HttpStatusCode.Forbidden, (await jonas.PostAsJsonAsync($"/api/v1/admin/subscriptions/{id}/suspend", new { reason = "x" })).StatusCode);
        Assert.Equal("suspended", (await ops.PostJson($"/api/v1/admin/subscriptions/{id}/suspend", new { reason = "Abuse report" }, HttpStatusCode.OK)).Str("status"));
        Assert.Equal(1, await EventsAsync(id, EventTopics.SubscriptionSuspended));
        Assert.Equal("active", (await ops.PostJson($"/api/v1/admin/subscriptions/{id}/unsuspend", null, HttpStatusCode.OK)).Str("status"));
        Assert.Equal(2, await EventsAsync(id, EventTopics.SubscriptionResumed));

        await jonas.PostJson($"/api/v1/subscriptions/{id}/cancel", new { at_period_end = false }, HttpStatusCode.OK);
        var cancelled = await (await jonas.PostAsync($"/api/v1/subscriptions/{id}/resume", null)).Problem(HttpStatusCode.Conflict);
        Assert.Equal("cancelled", cancelled.Str("current_state"));
        await (await (await app.ClientForAsync(Api.Anna)).GetAsync($"/api/v1/subscriptions/{id}/history")).Problem(HttpStatusCode.NotFound);
    }

    [Fact]
    public void TheAppClock_HasMicrosecondPrecision_SoStoredTimesRoundTrip()
    {
        var clock = app.Services.GetRequiredService<TimeProvider>();
        Assert.IsType<MicrosecondTimeProvider>(clock);
        Assert.Equal(0, clock.GetUtcNow().UtcTicks % 10);
    }

    private async Task<int> EventsAsync(string subscriptionId, string topic)
    {
        await using var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        return await db.OutboxEvents.CountAsync(e => e.AggregateId == subscriptionId && e.Topic == topic);
    }
}

public sealed class SqliteLifecycleTests(SqliteApp app) : LifecycleTests<SqliteApp>(app);

public sealed class PostgresLifecycleTests(PostgresApp app) : LifecycleTests<PostgresApp>(app);

public sealed class MariaDbLifecycleTests(MariaDbApp app) : LifecycleTests<MariaDbApp>(app);

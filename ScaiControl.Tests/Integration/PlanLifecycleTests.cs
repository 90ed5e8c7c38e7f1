using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Domain.Events;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Subscriptions;

namespace ScaiControl.Tests.Integration;

/// <summary>
/// Issue 4 end to end at a clock the test sets (no sleeping): plan changes (preview, now with exact cents on the next
/// invoice, period end applied by the reaper), trial end per plan, the trial-ending notifier (once, also with two
/// notifiers at the same moment), fixed terms and cost-plan refresh. Each test uses its own tenant and months.
/// </summary>
public abstract class PlanLifecycleTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : ScaiAppFactory, IClockedApp
{
    private static DateTimeOffset At(string rfc3339) => DateTimeOffset.Parse(rfc3339, System.Globalization.CultureInfo.InvariantCulture);

    private SubscriptionReaper Reaper => app.Services.GetRequiredService<SubscriptionReaper>();

    private TrialEndingNotifier Notifier => app.Services.GetRequiredService<TrialEndingNotifier>();

    [Fact]
    public async Task ChangeNow_PreviewChangesNothing_ThenTheProratedCentsAreOnTheNextInvoice_Once()
    {
        app.Clock.Now = At("2026-03-01T00:00:00Z");
        var ops = await app.ClientForAsync(Api.Ops);
        var claire = await app.ClientForAsync(Api.Claire);
        var business = await SavePlanAsync(ops, new { service_slug = "scaicrm", code = "crm-business-monthly", name = "Business", price = 5900, currency = "EUR", interval = "month" });
        var sub = await claire.PostJson("/api/v1/subscriptions", new { plan_id = await claire.PlanId("scaicrm", "crm-team-monthly") }, HttpStatusCode.Created);
        var id = sub.Str("id");
        await BillAsync("2026-03"); // [Mar 1, Apr 1) at 2900, in advance

        // 17 March: 15 of 31 days left. Credit 2900 × 15/31 = 1403.23 → 1403; charge 5900 × 15/31 = 2854.84 → 2855.
        app.Clock.Now = At("2026-03-17T00:00:00Z");
        var eventsBefore = await EventsAsync(id, EventTopics.SubscriptionChanged);
        var preview = await claire.PostJson($"/api/v1/subscriptions/{id}/change-plan", new { plan_id = business, effective = "now", preview = true }, HttpStatusCode.OK);
        Assert.Equal((1403L, 2855L, 1452L, "EUR", "same_period"), (preview.Long("credit"), preview.Long("charge"), preview.Long("net"), preview.Str("currency"), preview.Str("rule")));
        Assert.Equal(At("2026-04-01T00:00:00Z"), At(preview.Str("period_end")));
        var unchanged = await claire.GetJson($"/api/v1/subscriptions/{id}");
        Assert.Equal(("crm-team-monthly", 2900L), (unchanged.Str("plan_code"), unchanged.Long("rate")));
        Assert.Empty((await claire.GetJson($"/api/v1/subscriptions/{id}/pending-charges")).Items());
        Assert.Equal(eventsBefore, await EventsAsync(id, EventTopics.SubscriptionChanged));

        var changed = await claire.PostJson($"/api/v1/subscriptions/{id}/change-plan", new { plan_id = business, effective = "now" }, HttpStatusCode.OK);
        Assert.False(changed["preview"]!.GetValue<bool>());
        Assert.Equal(("crm-business-monthly", 5900L), (changed["subscription"]!.Str("plan_code"), changed["subscription"]!.Long("rate")));
        Assert.Equal([-1403L, 2855L], (await claire.GetJson($"/api/v1/subscriptions/{id}/pending-charges")).Items().Select(c => c.Long("amount")));
        Assert.Equal(eventsBefore + 1, await EventsAsync(id, EventTopics.SubscriptionChanged));
        var payload = JsonNode.Parse(await LastPayloadAsync(id, EventTopics.SubscriptionChanged))!;
        Assert.Equal(("crm-team-monthly", "crm-business-monthly", 1452L), (payload.Str("old_plan_code"), payload.Str("new_plan_code"), payload.Long("net")));

        // 1 April: April at the new rate, then the charge and the credit, each once, even with two runs at the same moment.
        app.Clock.Now = At("2026-04-01T00:00:10Z");
        await Task.WhenAll(BillAsync("2026-04"), BillAsync("2026-04"));
        var lines = await LinesAsync(id);
        Assert.Equal([2900L, 5900L, 2855L, -1403L], lines.Select(l => l.NetAmountMinor));
        Assert.Equal(5900L, lines[1].UnitPriceMinor); // the rate in force
        Assert.Single(lines.Select(l => l.InvoiceId).Skip(1).Distinct()); // April's period and the adjustments share one invoice
        Assert.Empty((await claire.GetJson($"/api/v1/subscriptions/{id}/pending-charges")).Items());
    }

    [Fact]
    public async Task APreview_ShowsThePeriodNotYetInvoiced_AndItsTotalIsWhatTheChangeThenPutsOnTheNextInvoice()
    {
        app.Clock.Now = At("2026-07-01T00:00:00Z");
        var ops = await app.ClientForAsync(Api.Ops);
        var claire = await app.ClientForAsync(Api.Claire);
        var business = await SavePlanAsync(ops, new { service_slug = "scaicrm", code = "crm-business-monthly", name = "Business", price = 5900, currency = "EUR", interval = "month" });
        var id = (await claire.PostJson("/api/v1/subscriptions", new { plan_id = await claire.PlanId("scaicrm", "crm-team-monthly") }, HttpStatusCode.Created)).Str("id");

        // No billing run yet: July [Jul 1, Aug 1) is owed at 2900. 17 July: 15 of 31 days left → credit 1403, charge 2855.
        app.Clock.Now = At("2026-07-17T00:00:00Z");
        var preview = await claire.PostJson($"/api/v1/subscriptions/{id}/change-plan", new { plan_id = business, effective = "now", preview = true }, HttpStatusCode.OK);
        var catchUp = preview["catch_up"]!.AsArray();
        Assert.Equal((At("2026-07-01T00:00:00Z"), At("2026-08-01T00:00:00Z"), 2900L), (At(catchUp.Single()!.Str("period_start")), At(catchUp.Single()!.Str("period_end")), catchUp.Single()!.Long("amount")));
        Assert.Equal((1452L, 2900L + 1452L), (preview.Long("net"), preview.Long("total")));

        var changed = await claire.PostJson($"/api/v1/subscriptions/{id}/change-plan", new { plan_id = business, effective = "now" }, HttpStatusCode.OK);
        Assert.Equal(preview.Long("total"), changed.Long("total"));
        Assert.Equal(preview.Long("total"), (await claire.GetJson($"/api/v1/subscriptions/{id}/pending-charges")).Items().Sum(c => c.Long("amount")));
    }

    [Fact]
    public async Task ChangeAtPeriodEnd_IsAppliedByTheReaper_AndTheNewPeriodIsBilledAtTheNewPlan()
    {
        app.Clock.Now = At("2026-05-01T00:00:00Z");
        var ops = await app.ClientForAsync(Api.Ops);
        var jonas = await app.ClientForAsync(Api.Jonas);
        var business = await SavePlanAsync(ops, new { service_slug = "scaicrm", code = "crm-business-monthly", name = "Business", price = 5900, currency = "EUR", interval = "month" });
        var id = (await jonas.PostJson("/api/v1/subscriptions", new { plan_id = await jonas.PlanId("scaicrm", "crm-team-monthly") }, HttpStatusCode.Created)).Str("id");
        await BillAsync("2026-05");

        app.Clock.Now = At("2026-05-10T00:00:00Z");
        var scheduled = await jonas.PostJson($"/api/v1/subscriptions/{id}/change-plan", new { plan_id = business, effective = "period_end" }, HttpStatusCode.OK);
        Assert.Equal((0L, 0L, At("2026-06-01T00:00:00Z")), (scheduled.Long("net"), scheduled.Long("credit"), At(scheduled.Str("effective_at"))));
        var sub = await jonas.GetJson($"/api/v1/subscriptions/{id}");
        Assert.Equal(("crm-team-monthly", business), (sub.Str("plan_code"), sub.Str("scheduled_plan_id")));
        Assert.Empty((await jonas.GetJson($"/api/v1/subscriptions/{id}/pending-charges")).Items());

        // The run on 1 June comes before the reaper: June is held back, not billed at the old rate.
        app.Clock.Now = At("2026-06-01T00:00:05Z");
        await BillAsync("2026-06");
        Assert.Equal([2900L], (await LinesAsync(id)).Select(l => l.NetAmountMinor));

        await Reaper.RunAsync(app.Clock.Now);
        await Reaper.RunAsync(app.Clock.Now); // idempotent
        sub = await jonas.GetJson($"/api/v1/subscriptions/{id}");
        Assert.Equal(("crm-business-monthly", 5900L, "active"), (sub.Str("plan_code"), sub.Long("rate"), sub.Str("status")));
        Assert.Null(sub["scheduled_plan_id"]);
        Assert.Equal(2, await EventsAsync(id, EventTopics.SubscriptionChanged)); // scheduled, applied

        await BillAsync("2026-06");
        var lines = await LinesAsync(id);
        Assert.Equal([2900L, 5900L], lines.Select(l => l.NetAmountMinor));
        Assert.Equal(At("2026-06-01T00:00:00Z"), lines[1].PeriodStart);
    }

    [Fact]
    public async Task Trials_AreAnnouncedOnce_ThenActivateOrExpireAsThePlanSays_AndAFixedTermEnds()
    {
        app.Clock.Now = At("2026-07-01T00:00:00Z");
        var ops = await app.ClientForAsync(Api.Ops);
        var sam = await app.ClientForAsync(Api.Sam);
        var expirePlan = await SavePlanAsync(ops, new { service_slug = "scaidrive", code = "drive-trial-expire", name = "Try", price = 500, currency = "EUR", interval = "month", trial_days = 7, trial_end_behavior = "expire" });
        var activatePlan = await SavePlanAsync(ops, new { service_slug = "scaidrive", code = "drive-trial-term", name = "Term", price = 700, currency = "EUR", interval = "month", trial_days = 7, trial_end_behavior = "activate", term_periods = 2 });
        var expiring = (await sam.PostJson("/api/v1/subscriptions", new { plan_id = expirePlan }, HttpStatusCode.Created)).Str("id");
        var converting = (await sam.PostJson("/api/v1/subscriptions", new { plan_id = activatePlan }, HttpStatusCode.Created)).Str("id");

        // Notice 3 days ahead of the trial end (8 July): not on the 4th, once from the 5th, even with two notifiers at once.
        await Notifier.RunAsync(At("2026-07-04T00:00:00Z"));
        Assert.Equal(0, await EventsAsync(expiring, EventTopics.SubscriptionTrialEnding));
        await Task.WhenAll(Task.Run(() => Notifier.RunAsync(At("2026-07-05T00:00:00Z"))), Task.Run(() => Notifier.RunAsync(At("2026-07-05T00:00:00Z"))));
        await Notifier.RunAsync(At("2026-07-06T00:00:00Z"));
        Assert.Equal(1, await EventsAsync(expiring, EventTopics.SubscriptionTrialEnding));
        Assert.Equal(1, await EventsAsync(converting, EventTopics.SubscriptionTrialEnding));

        app.Clock.Now = At("2026-07-08T00:00:01Z");
        await Reaper.RunAsync(app.Clock.Now);
        Assert.Equal("expired", (await sam.GetJson($"/api/v1/subscriptions/{expiring}")).Str("status"));
        var active = await sam.GetJson($"/api/v1/subscriptions/{converting}");
        Assert.Equal(("active", At("2026-09-08T00:00:00Z")), (active.Str("status"), At(active.Str("term_end"))));

        await BillAsync("2026-07");
        app.Clock.Now = At("2026-08-01T00:00:00Z");
        await BillAsync("2026-08");
        app.Clock.Now = At("2026-09-01T00:00:00Z");
        await BillAsync("2026-09"); // nothing past the term end
        Assert.Equal([At("2026-07-08T00:00:00Z"), At("2026-08-08T00:00:00Z")], (await LinesAsync(converting)).Select(l => l.PeriodStart!.Value));
        Assert.Empty(await LinesAsync(expiring));

        await Reaper.RunAsync(At("2026-09-08T00:00:00Z"));
        Assert.Equal("expired", (await sam.GetJson($"/api/v1/subscriptions/{converting}")).Str("status"));
        var history = (await sam.GetJson($"/api/v1/subscriptions/{converting}/history")).Items();
        Assert.Equal(["trialing", "active", "expired"], history.Select(h => h.Str("to")));
    }

    [Fact]
    public async Task AfterLongDowntime_OneReaperRun_CatchesUpAChain_TrialEndThenTermEnd_EachWithItsEventOnce()
    {
        app.Clock.Now = At("2026-10-01T00:00:00Z");
        var ops = await app.ClientForAsync(Api.Ops);
        var sam = await app.ClientForAsync(Api.Sam);
        var plan = await SavePlanAsync(ops, new { service_slug = "scaidrive", code = "drive-short-term", name = "Short term", price = 700, currency = "EUR", interval = "month", trial_days = 7, trial_end_behavior = "activate", term_periods = 1 });
        var id = (await sam.PostJson("/api/v1/subscriptions", new { plan_id = plan }, HttpStatusCode.Created)).Str("id");

        // The app was down from the trial start until 1 December: the trial ended on 8 October, the one-month term on 8 November.
        await Reaper.RunAsync(At("2026-12-01T00:00:00Z"));
        var history = (await sam.GetJson($"/api/v1/subscriptions/{id}/history")).Items();
        Assert.Equal(["trialing", "active", "expired"], history.Select(h => h.Str("to")));
        Assert.Equal(2, await EventsAsync(id, EventTopics.SubscriptionActivated)); // the trial start and the conversion
        Assert.Equal(1, await EventsAsync(id, EventTopics.SubscriptionChanged)); // the expiry

        await Reaper.RunAsync(At("2026-12-01T00:00:00Z"));
        Assert.Equal(3, (await sam.GetJson($"/api/v1/subscriptions/{id}/history")).Items().Count);
        Assert.Equal((2, 1), (await EventsAsync(id, EventTopics.SubscriptionActivated), await EventsAsync(id, EventTopics.SubscriptionChanged)));
    }

    [Fact]
    public async Task ACostPlanRefresh_GivesLiveSubscriptionsTheNewRate_WhileInvoicesKeepTheirs()
    {
        app.Clock.Now = At("2026-09-01T00:00:00Z");
        var ops = await app.ClientForAsync(Api.Ops);
        var anna = await app.ClientForAsync(Api.Anna);
        // 1999 × 1.25 = 2498.75 → 2499.
        var plan = await ops.PostJson("/api/v1/admin/plans", new { service_slug = "scaicms", code = "cms-gpu-monthly", name = "GPU", currency = "EUR", interval = "month", unit_cost = 1999, margin_bps = 2500 }, HttpStatusCode.OK);
        Assert.Equal((2499L, "cost_plus"), (plan.Long("price"), plan.Str("pricing_model")));
        var id = (await anna.PostJson("/api/v1/subscriptions", new { plan_id = plan.Str("id") }, HttpStatusCode.Created)).Str("id");
        await BillAsync("2026-09");

        app.Clock.Now = At("2026-09-15T00:00:00Z");
        await (await anna.PostAsync($"/api/v1/admin/plans/{plan.Str("id")}/refresh", Json(new { unit_cost = 2999, margin_bps = 2000 }))).Problem(HttpStatusCode.Forbidden);
        var bad = await (await ops.PostAsync($"/api/v1/admin/plans/{plan.Str("id")}/refresh", Json(new { unit_cost = 2999 }))).Problem(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("margin_bps", bad.ToJsonString(), StringComparison.Ordinal);
        // 2999 × 1.20 = 3598.8 → 3599.
        var refreshed = await ops.PostJson($"/api/v1/admin/plans/{plan.Str("id")}/refresh", new { unit_cost = 2999, margin_bps = 2000 }, HttpStatusCode.OK);
        Assert.Equal((3599L, 1), (refreshed["plan"]!.Long("price"), refreshed["subscriptions_refreshed"]!.GetValue<int>()));
        Assert.Equal(At("2026-09-15T00:00:00Z"), At(refreshed["plan"]!.Str("price_refreshed_at")));
        Assert.Equal(3599L, (await anna.GetJson($"/api/v1/subscriptions/{id}")).Long("rate"));

        app.Clock.Now = At("2026-10-01T00:00:00Z");
        await BillAsync("2026-10");
        Assert.Equal([2499L, 3599L], (await LinesAsync(id)).Select(l => l.UnitPriceMinor));
    }

    [Fact]
    public async Task ImpossibleChanges_AreRefusedWithTheStateAndChangeNothing()
    {
        app.Clock.Now = At("2026-11-01T00:00:00Z");
        var eva = await app.ClientForAsync(Api.Eva);
        var id = (await eva.PostJson("/api/v1/subscriptions", new { plan_id = await eva.PlanId("scaicms", "cms-pro-monthly") }, HttpStatusCode.Created)).Str("id");
        var crm = await eva.PlanId("scaicrm", "crm-team-monthly");
        var otherService = await (await eva.PostAsync($"/api/v1/subscriptions/{id}/change-plan", Json(new { plan_id = crm }))).Problem(HttpStatusCode.Conflict);
        Assert.Equal("active", otherService.Str("current_state"));
        Assert.Contains("change_plan", otherService["allowed_actions"]!.AsArray().Select(a => a!.GetValue<string>()));
        var same = await eva.PlanId("scaicms", "cms-pro-monthly");
        await (await eva.PostAsync($"/api/v1/subscriptions/{id}/change-plan", Json(new { plan_id = same }))).Problem(HttpStatusCode.Conflict);
        await (await eva.PostAsync($"/api/v1/subscriptions/{id}/change-plan", Json(new { effective = "now" }))).Problem(HttpStatusCode.UnprocessableEntity);
        await (await eva.PostAsync($"/api/v1/subscriptions/{id}/change-plan", Json(new { plan_id = same, effective = "tomorrow" }))).Problem(HttpStatusCode.UnprocessableEntity);
        await (await eva.PostAsync($"/api/v1/subscriptions/{id}/change-plan", Json(new { plan_id = "pln_nope" }))).Problem(HttpStatusCode.UnprocessableEntity);

        await eva.PostJson($"/api/v1/subscriptions/{id}/cancel", new { at_period_end = false }, HttpStatusCode.OK);
        var yearly = await eva.PlanId("scaicms", "cms-pro-yearly");
        var cancelled = await (await eva.PostAsync($"/api/v1/subscriptions/{id}/change-plan", Json(new { plan_id = yearly }))).Problem(HttpStatusCode.Conflict);
        Assert.Equal("cancelled", cancelled.Str("current_state"));
        var after = await eva.GetJson($"/api/v1/subscriptions/{id}");
        Assert.Equal(("cms-pro-monthly", 4900L), (after.Str("plan_code"), after.Long("rate")));
        Assert.Equal(0, await EventsAsync(id, EventTopics.SubscriptionChanged));
        Assert.Empty((await eva.GetJson($"/api/v1/subscriptions/{id}/pending-charges")).Items());
    }

    private static StringContent Json(object body) =>
        new(System.Text.Json.JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");

    private static async Task<string> SavePlanAsync(HttpClient ops, object plan) =>
        (await ops.PostJson("/api/v1/admin/plans", plan, HttpStatusCode.OK)).Str("id");

    private async Task BillAsync(string period)
    {
        var run = await app.Services.GetRequiredService<BillingRunService>().RunNowAsync(await app.ActorForAsync(Api.Ops), period);
        Assert.True(run.Status == BillingRunStatus.Completed, run.Errors);
    }

    private async Task<List<InvoiceLine>> LinesAsync(string subscriptionId)
    {
        await using var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        var lines = await db.Set<InvoiceLine>().AsNoTracking().Where(l => l.SubscriptionId == subscriptionId).ToListAsync();
        var ids = lines.Select(l => l.InvoiceId).Distinct().ToList();
        var made = await db.Invoices.AsNoTracking().Where(i => ids.Contains(i.Id)).ToDictionaryAsync(i => i.Id, i => i.CreatedAt);
        return lines.OrderBy(l => made[l.InvoiceId]).ThenBy(l => l.Position).ToList(); // invoice by invoice (the clock moves between runs), in line order

    }

    private async Task<int> EventsAsync(string subscriptionId, string topic)
    {
        await using var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        return await db.OutboxEvents.CountAsync(e => e.AggregateId == subscriptionId && e.Topic == topic);
    }

    private async Task<string> LastPayloadAsync(string subscriptionId, string topic)
    {
        await using var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        var rows = await db.OutboxEvents.AsNoTracking().Where(e => e.AggregateId == subscriptionId && e.Topic == topic).ToListAsync();
        return rows.OrderBy(e => e.OccurredAt).ThenBy(e => e.Id, StringComparer.Ordinal).Last().PayloadJson;
    }
}

public sealed class SqlitePlanLifecycleTests(ClockedSqliteApp app) : PlanLifecycleTests<ClockedSqliteApp>(app);

public sealed class PostgresPlanLifecycleTests(ClockedPostgresApp app) : PlanLifecycleTests<ClockedPostgresApp>(app);

public sealed class MariaDbPlanLifecycleTests(ClockedMariaDbApp app) : PlanLifecycleTests<ClockedMariaDbApp>(app);

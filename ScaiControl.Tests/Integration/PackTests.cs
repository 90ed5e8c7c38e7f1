using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Domain.Events;
using ScaiControl.Infrastructure.Packs;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Subscriptions;

namespace ScaiControl.Tests.Integration;

/// <summary>
/// Service packs through the HTTP API (spec 002 migration 014): the catalog's saving, pack administration with 422s
/// naming the field, subscribing (parent and children in one transaction), pack events instead of child events,
/// propagation of cancel now and at period end (the reaper at a controllable clock, twice at once), children refused
/// alone with 409, one invoice line per pack period, tenant isolation.
/// </summary>
public abstract class PackTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : ScaiAppFactory
{
    private SubscriptionReaper Reaper => app.Services.GetRequiredService<SubscriptionReaper>();

    [Fact]
    public async Task TheCatalog_ListsTheDemoPacks_WithPriceCatalogSumAndSavingInCents()
    {
        var anna = await app.ClientForAsync(Api.Anna);
        var packs = (await anna.GetJson("/api/v1/catalog/packs")).Items();

        var suite = packs.Single(p => p.Str("code") == "scaisuite-monthly");
        Assert.Equal("percentage", suite.Str("pricing"));
        Assert.Equal(1500, suite["discount_basis_points"]!.GetValue<int>());
        Assert.Equal(8790, suite.Long("catalog_sum")); // 29.00 + 49.00 + 9.90
        Assert.Equal(7471, suite.Long("price"));       // 8790 − round(1318.5) = 8790 − 1319
        Assert.Equal(1319, suite.Long("saving"));
        Assert.Equal(["scaicrm", "scaicms", "scaidrive"], suite["items"]!.AsArray().Select(i => i!.Str("service_slug")));
        Assert.Equal([2900L, 4900L, 990L], suite["items"]!.AsArray().Select(i => i!.Long("price")));

        var web = packs.Single(p => p.Str("code") == "web-presence-yearly");
        Assert.Equal("fixed_price", web.Str("pricing"));
        Assert.Equal("year", web.Str("interval"));
        Assert.Equal(58900, web.Long("catalog_sum"));
        Assert.Equal(52900, web.Long("price"));
        Assert.Equal(6000, web.Long("saving"));
    }

    [Fact]
    public async Task Subscribing_CreatesTheParentAndOneActiveChildPerPair_WithOnlyThePackEvent()
    {
        var anna = await app.ClientForAsync(Api.Anna);
        var pack = await PackAsync(anna, "scaisuite-monthly");

        var created = await anna.PostJson("/api/v1/pack-subscriptions", new { pack_id = pack.Str("id") }, HttpStatusCode.Created);

        Assert.Equal("active", created.Str("status"));
        Assert.Equal(7471, created.Long("price"));
        Assert.Equal(["schedule_cancellation", "cancel", "suspend"], created["allowed_actions"]!.AsArray().Select(a => a!.GetValue<string>()));
        var children = created["children"]!.AsArray().Select(c => c!).ToList();
        Assert.Equal(["crm-team-monthly", "cms-pro-monthly", "drive-starter-monthly"], children.Select(c => c.Str("plan_code")));
        Assert.All(children, c => Assert.Equal("active", c.Str("status"))); // no trial inside a pack, although Drive's plan has one
        var child = await anna.GetJson($"/api/v1/subscriptions/{children[0].Str("id")}");
        Assert.Equal(created.Str("id"), child.Str("pack_subscription_id"));
        Assert.Empty(child["allowed_actions"]!.AsArray());
        Assert.Equal(created.Str("current_period_end"), child.Str("current_period_end"));

        var activated = Assert.Single(await EventsAsync(created.Str("id")));
        Assert.Equal(EventTopics.PackSubscriptionActivated, activated.Topic);
        var payload = JsonNode.Parse(activated.PayloadJson)!;
        Assert.Equal(children.Select(c => c.Str("id")).Order(StringComparer.Ordinal), payload["children"]!.AsArray().Select(c => c!.Str("subscription_id")));
        Assert.Equal(7471, payload.Long("price"));
        Assert.Empty(await ChildEventsAsync(children));
        Assert.Equal(created.Str("id"), (await anna.GetJson($"/api/v1/pack-subscriptions/{created.Str("id")}")).Str("id"));
    }

    [Fact]
    public async Task ASubscribeThatFailsHalfway_LeavesNothing()
    {
        var jonas = await app.ClientForAsync(Api.Jonas);
        var actor = await app.ActorForAsync(Api.Jonas);
        var pack = await PackAsync(jonas, "scaisuite-monthly");
        var lastPlan = pack["items"]!.AsArray()[^1]!.Str("plan_id");
        var factory = app.Services.GetRequiredService<ScaiDbFactory>();
        var before = await CountsAsync(actor.TenantId!);

        // The database refuses the LAST child row: the parent and the first children were already written in the transaction.
        // DDL takes no parameters; both values are ids this API generated (prefixed alphanumerics), checked here.
        Assert.Matches("^[a-z]{3}_[A-Za-z0-9]+$", lastPlan);
        Assert.Matches("^[a-z]{3}_[A-Za-z0-9]+$", actor.TenantId);
        var createTrigger = factory.Provider switch
        {
            DatabaseProvider.Sqlite => [$"CREATE TRIGGER pack_test_fail BEFORE INSERT ON subscriptions WHEN NEW.PlanId = '{lastPlan}' AND NEW.TenantId = '{actor.TenantId}' BEGIN SELECT RAISE(ABORT, 'injected failure'); END;"],
            DatabaseProvider.MariaDb => [$"CREATE TRIGGER pack_test_fail BEFORE INSERT ON subscriptions FOR EACH ROW BEGIN IF NEW.`PlanId` = '{lastPlan}' AND NEW.`TenantId` = '{actor.TenantId}' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'injected failure'; END IF; END"],
            _ => new[]
            {
                "CREATE FUNCTION pack_test_fail() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql;",
                $"CREATE TRIGGER pack_test_fail BEFORE INSERT ON subscriptions FOR EACH ROW WHEN (NEW.\"PlanId\" = '{lastPlan}' AND NEW.\"TenantId\" = '{actor.TenantId}') EXECUTE FUNCTION pack_test_fail();",
            },
        };
        await using (var db = await factory.ForSystemAsync("test"))
        {
            foreach (var sql in createTrigger)
            {
                await db.Database.ExecuteSqlRawAsync(sql);
            }
        }

        try
        {
            await Assert.ThrowsAsync<DbUpdateException>(() => app.Services.GetRequiredService<PackSubscriptionService>().SubscribeAsync(actor, pack.Str("id"), null));
        }
        finally
        {
            await using var db = await factory.ForSystemAsync("test");
            await db.Database.ExecuteSqlRawAsync(factory.Provider == DatabaseProvider.PostgreSql
                ? "DROP TRIGGER pack_test_fail ON subscriptions; DROP FUNCTION pack_test_fail();"
                : "DROP TRIGGER pack_test_fail;");
        }

        Assert.Equal(before, await CountsAsync(actor.TenantId!));
        Assert.DoesNotContain((await jonas.GetJson("/api/v1/pack-subscriptions")).Items(), p => p.Str("pack_id") == pack.Str("id"));
    }

    [Fact]
    public async Task CancellingNow_CancelsTheParentAndEveryChild_WithOnePackEventAndNoChildEvents()
    {
        var claire = await app.ClientForAsync(Api.Claire);
        var created = await claire.PostJson("/api/v1/pack-subscriptions", new { pack_id = (await PackAsync(claire, "scaisuite-monthly")).Str("id") }, HttpStatusCode.Created);
        var id = created.Str("id");

        var cancelled = await claire.PostJson($"/api/v1/pack-subscriptions/{id}/cancel", new { at_period_end = false, reason = "Budget cut" }, HttpStatusCode.OK);

        Assert.Equal("cancelled", cancelled.Str("status"));
        Assert.Equal("Budget cut", cancelled.Str("cancellation_reason"));
        Assert.All(cancelled["children"]!.AsArray(), c => Assert.Equal("cancelled", c!.Str("status")));
        foreach (var child in created["children"]!.AsArray())
        {
            var sub = await claire.GetJson($"/api/v1/subscriptions/{child!.Str("id")}");
            Assert.Equal("cancelled", sub.Str("status"));
            Assert.Equal("Budget cut", sub.Str("cancellation_reason"));
        }

        var events = await EventsAsync(id);
        Assert.Equal([EventTopics.PackSubscriptionActivated, EventTopics.PackSubscriptionCancelled], events.Select(e => e.Topic));
        Assert.Equal("Budget cut", JsonNode.Parse(events[1].PayloadJson)!.Str("reason"));
        Assert.Empty(await ChildEventsAsync(created["children"]!.AsArray().Select(c => c!).ToList()));
        Assert.DoesNotContain(await AllTopicsAsync(), t => t == EventTopics.PackSubscriptionChanged);

        var again = await (await claire.PostAsJsonAsync($"/api/v1/pack-subscriptions/{id}/cancel", new { at_period_end = true })).Problem(HttpStatusCode.Conflict);
        Assert.Equal("cancelled", again.Str("current_state"));
    }

    [Fact]
    public async Task CancellingAtPeriodEnd_TheReaperCancelsParentAndChildrenOnce_EvenWithTwoReapersAtOnce()
    {
        var sam = await app.ClientForAsync(Api.Sam);
        var created = await sam.PostJson("/api/v1/pack-subscriptions", new { pack_id = (await PackAsync(sam, "scaisuite-monthly")).Str("id") }, HttpStatusCode.Created);
        var id = created.Str("id");
        var cancelling = await sam.PostJson($"/api/v1/pack-subscriptions/{id}/cancel", new { at_period_end = true, reason = "Moving on" }, HttpStatusCode.OK);
        Assert.Equal("cancelling", cancelling.Str("status"));
        Assert.All(cancelling["children"]!.AsArray(), c => Assert.Equal("cancelling", c!.Str("status")));
        Assert.Equal(["resume", "cancel", "suspend"], cancelling["allowed_actions"]!.AsArray().Select(a => a!.GetValue<string>()));
        var periodEnd = DateTimeOffset.Parse(cancelling.Str("current_period_end"), System.Globalization.CultureInfo.InvariantCulture);

        await Reaper.RunAsync(periodEnd.AddSeconds(-1));
        Assert.Equal("cancelling", (await sam.GetJson($"/api/v1/pack-subscriptions/{id}")).Str("status"));

        await Task.WhenAll(Task.Run(() => Reaper.RunAsync(periodEnd)), Task.Run(() => Reaper.RunAsync(periodEnd)));
        await Reaper.RunAsync(periodEnd.AddDays(3)); // catching up again changes nothing

        var after = await sam.GetJson($"/api/v1/pack-subscriptions/{id}");
        Assert.Equal("cancelled", after.Str("status"));
        Assert.Equal("Moving on", after.Str("cancellation_reason"));
        Assert.All(after["children"]!.AsArray(), c => Assert.Equal("cancelled", c!.Str("status")));
        Assert.Single(await EventsAsync(id), e => e.Topic == EventTopics.PackSubscriptionCancelled);
        Assert.Empty(await ChildEventsAsync(created["children"]!.AsArray().Select(c => c!).ToList()));
    }

    [Fact]
    public async Task ResumeSuspendAndUnsuspend_MoveTheChildrenWithThePack()
    {
        var anna = await app.ClientForAsync(Api.Anna);
        var ops = await app.ClientForAsync(Api.Ops);
        var created = await anna.PostJson("/api/v1/pack-subscriptions", new { pack_id = (await PackAsync(anna, "web-presence-yearly")).Str("id") }, HttpStatusCode.Created);
        var id = created.Str("id");

        await anna.PostJson($"/api/v1/pack-subscriptions/{id}/cancel", new { at_period_end = true }, HttpStatusCode.OK);
        var resumed = await anna.PostJson($"/api/v1/pack-subscriptions/{id}/resume", null, HttpStatusCode.OK);
        Assert.Equal("active", resumed.Str("status"));
        Assert.All(resumed["children"]!.AsArray(), c => Assert.Equal("active", c!.Str("status")));

        Assert.Equal(HttpStatusCode.Forbidden, (await anna.PostAsJsonAsync($"/api/v1/admin/pack-subscriptions/{id}/suspend", new { reason = "x" })).StatusCode);
        var suspended = await ops.PostJson($"/api/v1/admin/pack-subscriptions/{id}/suspend", new { reason = "Abuse report" }, HttpStatusCode.OK);
        Assert.All(suspended["children"]!.AsArray(), c => Assert.Equal("suspended", c!.Str("status")));
        var unsuspended = await ops.PostJson($"/api/v1/admin/pack-subscriptions/{id}/unsuspend", null, HttpStatusCode.OK);
        Assert.Equal("active", unsuspended.Str("status"));
        Assert.All(unsuspended["children"]!.AsArray(), c => Assert.Equal("active", c!.Str("status")));
        Assert.Equal([EventTopics.PackSubscriptionActivated], (await EventsAsync(id)).Select(e => e.Topic)); // no pack topic for these in v1
        Assert.Empty(await ChildEventsAsync(created["children"]!.AsArray().Select(c => c!).ToList()));
    }

    [Fact]
    public async Task ActingOnAChildAlone_Is409NamingThePack_AndChangesNothing()
    {
        var jonas = await app.ClientForAsync(Api.Jonas);
        var ops = await app.ClientForAsync(Api.Ops);
        var created = await jonas.PostJson("/api/v1/pack-subscriptions", new { pack_id = (await PackAsync(jonas, "web-presence-yearly")).Str("id") }, HttpStatusCode.Created);
        var id = created.Str("id");
        var childId = created["children"]!.AsArray()[0]!.Str("id");

        var cancel = await (await jonas.PostAsJsonAsync($"/api/v1/subscriptions/{childId}/cancel", new { at_period_end = false })).Problem(HttpStatusCode.Conflict);
        Assert.Equal("active", cancel.Str("current_state"));
        Assert.Contains($"cancel the pack subscription {id}", cancel["allowed_actions"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Contains(id, cancel.Str("detail"), StringComparison.Ordinal);
        await (await jonas.PostAsJsonAsync($"/api/v1/subscriptions/{childId}/cancel", new { at_period_end = true })).Problem(HttpStatusCode.Conflict);
        await (await ops.PostAsJsonAsync($"/api/v1/admin/subscriptions/{childId}/suspend", new { reason = "x" })).Problem(HttpStatusCode.Conflict);

        await jonas.PostJson($"/api/v1/pack-subscriptions/{id}/cancel", new { at_period_end = true }, HttpStatusCode.OK);
        var resume = await (await jonas.PostAsync($"/api/v1/subscriptions/{childId}/resume", null)).Problem(HttpStatusCode.Conflict);
        Assert.Equal("cancelling", resume.Str("current_state"));
        Assert.Contains($"resume the pack subscription {id}", resume["allowed_actions"]!.AsArray().Select(a => a!.GetValue<string>()));

        var child = await jonas.GetJson($"/api/v1/subscriptions/{childId}");
        Assert.Equal("cancelling", child.Str("status")); // as the pack made it, nothing more
        Assert.Equal("cancelling", (await jonas.GetJson($"/api/v1/pack-subscriptions/{id}")).Str("status"));
        Assert.Equal(["cancelling", "cancelling"], (await jonas.GetJson($"/api/v1/pack-subscriptions/{id}"))["children"]!.AsArray().Select(c => c!.Str("status")));
        Assert.Empty(await ChildEventsAsync(created["children"]!.AsArray().Select(c => c!).ToList()));
    }

    [Fact]
    public async Task APackBillsAsOneLineAtThePackPrice_AndItsChildrenAreNotBilled()
    {
        var claire = await app.ClientForAsync(Api.Claire);
        var ops = await app.ClientForAsync(Api.Ops);
        var created = await claire.PostJson("/api/v1/pack-subscriptions", new { pack_id = (await PackAsync(claire, "scaisuite-monthly")).Str("id") }, HttpStatusCode.Created);
        var id = created.Str("id");
        var childIds = created["children"]!.AsArray().Select(c => c!.Str("id")).ToHashSet();

        Assert.Equal("completed", (await ops.RunBillingAsync(Api.CurrentPeriod)).Str("status"));
        Assert.Equal("completed", (await ops.RunBillingAsync(Api.CurrentPeriod)).Str("status")); // a second run bills nothing twice

        var lines = new List<JsonNode>();
        foreach (var summary in (await claire.GetJson("/api/v1/invoices?limit=200")).Items())
        {
            lines.AddRange((await claire.GetJson($"/api/v1/invoices/{summary.Str("id")}"))["lines"]!.AsArray().Select(l => l!));
        }

        var line = Assert.Single(lines, l => l["subscription_id"]?.GetValue<string>() == id);
        Assert.Equal(1, line.Long("quantity"));
        Assert.Equal(7471, line.Long("unit_price"));
        Assert.Equal(7471, line.Long("net_amount"));
        Assert.Equal(created.Str("current_period_start"), line.Str("period_start"));
        Assert.StartsWith("ScaiSuite (pack: ", line.Str("description"), StringComparison.Ordinal);
        Assert.DoesNotContain(lines, l => l["subscription_id"]?.GetValue<string>() is { } s && childIds.Contains(s));
    }

    [Fact]
    public async Task TheDemoRedwoodPack_IsOnItsInvoiceAsOneLine_AndTheDemoHasATrial()
    {
        var sam = await app.ClientForAsync(Api.Sam);
        var pack = Assert.Single((await sam.GetJson("/api/v1/pack-subscriptions")).Items(), p => p.Str("pack_code") == "web-presence-yearly");
        var invoice = (await sam.GetJson("/api/v1/invoices?status=finalised")).Items()[^1];
        var lines = (await sam.GetJson($"/api/v1/invoices/{invoice.Str("id")}"))["lines"]!.AsArray().Select(l => l!).ToList();
        var line = Assert.Single(lines, l => l["subscription_id"]?.GetValue<string>() == pack.Str("id"));
        Assert.Equal(52900, line.Long("net_amount"));
        Assert.Equal(2, lines.Count); // Redwood's CRM yearly plan and the pack; the pack's two children are not billed

        var claire = await app.ClientForAsync(Api.Claire);
        Assert.Contains((await claire.GetJson("/api/v1/subscriptions?status=trialing")).Items(), s => s.Str("service_slug") == "scaidrive");
    }

    [Fact]
    public async Task AnotherTenantsPackSubscription_Is404()
    {
        var anna = await app.ClientForAsync(Api.Anna);
        var eva = await app.ClientForAsync(Api.Eva);
        var created = await anna.PostJson("/api/v1/pack-subscriptions", new { pack_id = (await PackAsync(anna, "web-presence-yearly")).Str("id") }, HttpStatusCode.Created);
        var id = created.Str("id");

        await (await eva.GetAsync($"/api/v1/pack-subscriptions/{id}")).Problem(HttpStatusCode.NotFound);
        await (await eva.PostAsJsonAsync($"/api/v1/pack-subscriptions/{id}/cancel", new { at_period_end = false })).Problem(HttpStatusCode.NotFound);
        Assert.DoesNotContain((await eva.GetJson("/api/v1/pack-subscriptions")).Items(), p => p.Str("id") == id);
        await (await eva.GetAsync($"/api/v1/subscriptions/{created["children"]!.AsArray()[0]!.Str("id")}")).Problem(HttpStatusCode.NotFound);
        Assert.Equal("active", (await anna.GetJson($"/api/v1/pack-subscriptions/{id}")).Str("status"));

        var bad = await (await anna.PostAsJsonAsync("/api/v1/pack-subscriptions", new { pack_id = "pck_NOPE" })).Problem(HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(bad["errors"]!["pack_id"]);
        var other = await (await anna.PostAsJsonAsync("/api/v1/pack-subscriptions", new { pack_id = created.Str("pack_id"), tenant_id = (await app.ActorForAsync(Api.Eva)).TenantId })).Problem(HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(other["errors"]!["tenant_id"]);
    }

    [Fact]
    public async Task TheOperatorComposesUpdatesAndRetiresAPack_AndBadTermsAre422NamingTheField()
    {
        var ops = await app.ClientForAsync(Api.Ops);
        var anna = await app.ClientForAsync(Api.Anna);
        var crm = await ops.PlanId("scaicrm", "crm-team-monthly");
        var cms = await ops.PlanId("scaicms", "cms-pro-monthly");
        var cmsYearly = await ops.PlanId("scaicms", "cms-pro-yearly");
        var drive = await ops.PlanId("scaidrive", "drive-starter-monthly");
        object Body(string code, string pricing, long? fixedPrice, int? bp, params string[] plans) => new
        {
            code, name = "Sales & content", description = "CRM and CMS", pricing, fixed_price = fixedPrice, discount_basis_points = bp,
            currency = "EUR", interval = "month", items = plans.Select(p => new { plan_id = p }).ToArray(),
        };

        Assert.Equal(HttpStatusCode.Forbidden, (await anna.PostAsJsonAsync("/api/v1/admin/packs", Body("sales-content", "fixed_price", 6900, null, crm, cms))).StatusCode);
        async Task<string> Field(object body) =>
            ((JsonObject)(await (await ops.PostAsJsonAsync("/api/v1/admin/packs", body)).Problem(HttpStatusCode.UnprocessableEntity))["errors"]!).Single().Key;
        Assert.Equal("items[1].plan_id", await Field(Body("sales-content", "fixed_price", 6900, null, crm, cmsYearly)));
        Assert.Equal("items[1].plan_id", await Field(Body("sales-content", "fixed_price", 6900, null, cms, await ops.PlanId("scaicms", "cms-pro-monthly"))));
        Assert.Equal("items", await Field(Body("sales-content", "fixed_price", 6900, null, crm)));
        Assert.Equal("fixed_price", await Field(Body("sales-content", "fixed_price", 7801, null, crm, cms)));
        Assert.Equal("discount_basis_points", await Field(Body("sales-content", "percentage", null, 10000, crm, cms)));
        Assert.Equal("pricing", await Field(Body("sales-content", "bundle", 6900, null, crm, cms)));
        Assert.Equal("code", await Field(Body("scaisuite-monthly", "fixed_price", 6900, null, crm, cms)));
        Assert.DoesNotContain((await ops.GetJson("/api/v1/catalog/packs")).Items(), p => p.Str("code") == "sales-content");

        var created = await ops.PostJson("/api/v1/admin/packs", Body("sales-content", "fixed_price", 6900, null, crm, cms), HttpStatusCode.Created);
        Assert.Equal(7800, created.Long("catalog_sum"));
        Assert.Equal(900, created.Long("saving"));
        var id = created.Str("id");

        var updated = await (await ops.PutAsJsonAsync($"/api/v1/admin/packs/{id}", Body("sales-content", "percentage", null, 1250, crm, cms, drive))).Json(HttpStatusCode.OK);
        Assert.Equal(8790, updated.Long("catalog_sum"));
        Assert.Equal(7691, updated.Long("price")); // 8790 × 12.5 % = 1098.75 → 1099 off
        Assert.Equal(3, updated["items"]!.AsArray().Count);
        var shrunk = await (await ops.PutAsJsonAsync($"/api/v1/admin/packs/{id}", Body("sales-content", "percentage", null, 1250, drive, cms))).Json(HttpStatusCode.OK);
        Assert.Equal(["scaidrive", "scaicms"], shrunk["items"]!.AsArray().Select(i => i!.Str("service_slug")));
        Assert.Contains((await anna.GetJson("/api/v1/catalog/packs")).Items(), p => p.Str("id") == id);

        var retired = await ops.PostJson($"/api/v1/admin/packs/{id}/retire", null, HttpStatusCode.OK);
        Assert.False(retired["is_active"]!.GetValue<bool>());
        Assert.DoesNotContain((await anna.GetJson("/api/v1/catalog/packs")).Items(), p => p.Str("id") == id);
        Assert.Contains((await ops.GetJson("/api/v1/catalog/packs")).Items(), p => p.Str("id") == id);
        var refused = await (await anna.PostAsJsonAsync("/api/v1/pack-subscriptions", new { pack_id = id })).Problem(HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(refused["errors"]!["pack_id"]);
        await (await ops.PutAsJsonAsync("/api/v1/admin/packs/pck_NOPE", Body("x", "fixed_price", 1, null, crm, cms))).Problem(HttpStatusCode.NotFound);
    }

    private static async Task<JsonNode> PackAsync(HttpClient client, string code) =>
        (await client.GetJson("/api/v1/catalog/packs")).Items().Single(p => p.Str("code") == code);

    private async Task<List<OutboxEvent>> EventsAsync(string aggregateId)
    {
        await using var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        return await db.OutboxEvents.AsNoTracking().Where(e => e.AggregateId == aggregateId).OrderBy(e => e.OccurredAt).ThenBy(e => e.Id).ToListAsync();
    }

    private async Task<List<string>> AllTopicsAsync()
    {
        await using var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        return await db.OutboxEvents.AsNoTracking().Select(e => e.Topic).Distinct().ToListAsync();
    }

    /// <summary>Every outbox event about the children (there must be none: the pack's event replaces them).</summary>
    private async Task<List<string>> ChildEventsAsync(IReadOnlyList<JsonNode> children)
    {
        var ids = children.Select(c => c.Str("id")).ToList();
        await using var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        return await db.OutboxEvents.AsNoTracking().Where(e => ids.Contains(e.AggregateId)).Select(e => e.Topic).ToListAsync();
    }

    private async Task<(int Packs, int Subscriptions, int Events)> CountsAsync(string tenantId)
    {
        await using var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        return (await db.PackSubscriptions.CountAsync(p => p.TenantId == tenantId), await db.Subscriptions.CountAsync(s => s.TenantId == tenantId),
            await db.OutboxEvents.CountAsync(e => e.TenantId == tenantId));
    }
}

public sealed class SqlitePackTests(SqliteApp app) : PackTests<SqliteApp>(app);

public sealed class PostgresPackTests(PostgresApp app) : PackTests<PostgresApp>(app);

public sealed class MariaDbPackTests(MariaDbApp app) : PackTests<MariaDbApp>(app);

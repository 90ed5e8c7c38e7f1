using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Usage;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Persistence;

namespace ScaiControl.Tests.Integration;

/// <summary>On SQLite.</summary>
public sealed class SqliteUsageBillingTests(ClockedSqliteApp app) : UsageBillingTests<ClockedSqliteApp>(app);

/// <summary>On PostgreSQL.</summary>
public sealed class PostgresUsageBillingTests(ClockedPostgresApp app) : UsageBillingTests<ClockedPostgresApp>(app);

/// <summary>
/// Usage on invoices (issue 15, issue 12), at a clock the test sets: the usage of a period that ended goes on the
/// invoice of the next period beside its fixed price and the pending charges, one line per charge with its quantity and
/// tier breakdown, each pricing model hand-computed; a period's usage is billed once and usage.period_closed.v1 sent
/// once; corrections (amend, void) before and after the period's invoice, within and past the grace; late events
/// after the invoice become an adjustment on the next one; refusals for other tenants and partners.
/// </summary>
public abstract class UsageBillingTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : ScaiAppFactory, IClockedApp
{
    private static DateTimeOffset At(string rfc3339) => DateTimeOffset.Parse(rfc3339, CultureInfo.InvariantCulture);

    private static string T(DateTimeOffset at) => at.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private async Task<string> PlanAsync(string service, long price)
    {
        var ops = await app.ClientForAsync(Api.Ops);
        return (await ops.PostJson("/api/v1/admin/plans", new { service_slug = service, code = "u" + Guid.NewGuid().ToString("N")[..10], name = "Metered", price, currency = "EUR", interval = "month" },
            HttpStatusCode.OK)).Str("id");
    }

    private async Task<Meter> MeterAsync(string service, MeterAggregation aggregation, string? planId = null, UsageChargeTerms? terms = null, long? unitCost = null)
    {
        await using var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        var serviceId = await db.Services.Where(s => s.Slug == service).Select(s => s.Id).SingleAsync();
        var code = "m" + Guid.NewGuid().ToString("N")[..10];
        var meter = new Meter(serviceId, code, "Meter " + code, aggregation, "unit", null, null, app.Clock.Now);
        db.Meters.Add(meter);
        if (planId is not null)
        {
            db.PlanUsageCharges.Add(new PlanUsageCharge(planId, meter.Id, terms!, unitCost, null, null, false, app.Clock.Now));
        }

        await db.SaveChangesAsync();
        return meter;
    }

    private async Task BillAsync(string period)
    {
        var run = await app.Services.GetRequiredService<BillingRunService>().RunNowAsync(await app.ActorForAsync(Api.Ops), period);
        Assert.True(run.Status == BillingRunStatus.Completed, run.Errors);
    }

    private async Task<List<(InvoiceLine Line, Invoice Invoice)>> LinesAsync(string subscriptionId)
    {
        await using var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        var lines = await db.InvoiceLines.AsNoTracking().Where(l => l.SubscriptionId == subscriptionId).ToListAsync();
        var ids = lines.Select(l => l.InvoiceId).Distinct().ToList();
        var invoices = await db.Invoices.AsNoTracking().Where(i => ids.Contains(i.Id)).ToDictionaryAsync(i => i.Id);
        return lines.Select(l => (l, invoices[l.InvoiceId])).OrderBy(x => x.Item2.CreatedAt).ThenBy(x => x.l.Position).ToList();
    }

    private async Task<List<JsonNode>> PeriodClosedAsync(string subscriptionId)
    {
        await using var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        return (await db.OutboxEvents.IgnoreQueryFilters().Where(e => e.Topic == "usage.period_closed.v1").ToListAsync())
            .Select(e => JsonNode.Parse(e.PayloadJson)!).Where(p => p.Str("subscription_id") == subscriptionId).ToList();
    }

    private static object Event(string id, Meter meter, string quantity, DateTimeOffset at) => new { event_id = id, meter = meter.Code, quantity, timestamp = T(at) };

    private static async Task IngestAsync(HttpClient client, params object[] events)
    {
        var answer = await client.PostJson("/api/v1/usage", new { events }, HttpStatusCode.OK);
        Assert.True(answer["accepted"]!.GetValue<int>() == events.Length, answer.ToJsonString());
    }

    [Fact]
    public async Task FixedAndUsageCharges_OneInvoice_EachPricingModelHandComputed_BilledOnce()
    {
        app.Clock.Now = At("2026-03-01T00:00:00Z");
        var plan = await PlanAsync("scaicrm", 2900);
        // per unit: EUR 0.0015 a unit (0.15 cents), 1,000 included.
        var perUnit = await MeterAsync("scaicrm", MeterAggregation.Sum, plan, new UsageChargeTerms(UsagePriceModel.PerUnit, IncludedUnits: 1000, UnitPriceMicroMinor: 150_000));
        // graduated on a count: 5 included; 1-10 at 2 cents, 11-20 at 1 cent, above at 0.5 cent + 1.00 flat.
        var graduated = await MeterAsync("scaicrm", MeterAggregation.Count, plan, new UsageChargeTerms(UsagePriceModel.Graduated, IncludedUnits: 5,
            Tiers: [new UsageTier(10, 2_000_000), new UsageTier(20, 1_000_000), new UsageTier(null, 500_000, 100)]));
        // volume: up to 100 at 3 cents, above at 2 cents + 0.50 flat.
        var volume = await MeterAsync("scaicrm", MeterAggregation.Sum, plan, new UsageChargeTerms(UsagePriceModel.Volume, Tiers: [new UsageTier(100, 3_000_000), new UsageTier(null, 2_000_000, 50)]));
        // package: 4.00 per started 1,000.
        var package = await MeterAsync("scaicrm", MeterAggregation.Sum, plan, new UsageChargeTerms(UsagePriceModel.Package, PackageSize: 1000, PackagePriceMinor: 400));
        // cost plus: 10 cents cost + 25 %, the cost raised to 20 cents mid-period.
        var costPlus = await MeterAsync("scaicrm", MeterAggregation.Sum, plan, new UsageChargeTerms(UsagePriceModel.CostPlus, MarginBasisPoints: 2500), unitCost: 10_000_000);

        var jonas = await app.ClientForAsync(Api.Jonas);
        var id = (await jonas.PostJson("/api/v1/subscriptions", new { plan_id = plan }, HttpStatusCode.Created)).Str("id");
        await BillAsync("2026-03"); // March's fixed price, in advance

        app.Clock.Now = At("2026-03-20T12:00:00Z");
        var day = At("2026-03-20T08:00:00Z");
        await IngestAsync(jonas,
            [Event("pu-1", perUnit, "1000", day), Event("pu-2", perUnit, "234.5", day.AddHours(1)),
             .. Enumerable.Range(1, 25).Select(i => Event($"gr-{i}", graduated, "1", day.AddMinutes(i))),
             Event("vo-1", volume, "150", day), Event("pk-1", package, "2000", day), Event("pk-2", package, "501", day.AddDays(-3)),
             Event("cp-1", costPlus, "7", day.AddDays(-1))]);
        await using (var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test"))
        {
            var charge = await db.PlanUsageCharges.SingleAsync(c => c.MeterId == costPlus.Id);
            charge.Update(charge.Terms, 20_000_000, null, null, false);
            await db.SaveChangesAsync();
        }

        await IngestAsync(jonas, Event("cp-2", costPlus, "3", day));

        // 1 April: April's fixed price and March's usage on one invoice.
        app.Clock.Now = At("2026-04-01T00:00:10Z");
        await Task.WhenAll(BillAsync("2026-04"), BillAsync("2026-04"));
        var lines = await LinesAsync(id);
        var april = lines.Where(l => l.Line.PeriodStart == At("2026-03-01T00:00:00Z") && l.Line.BillingKey!.StartsWith("u:", StringComparison.Ordinal)).ToList();
        var fixedApril = Assert.Single(lines, l => l.Line.PeriodStart == At("2026-04-01T00:00:00Z"));
        Assert.Equal(2900, fixedApril.Line.NetAmountMinor);
        // 234.5 × 0.15 = 35.175 → 35; 20 billable: 10 × 2 + 10 × 1 = 30; 150 × 2 + 50 = 350; 3 packages = 1200;
        // 7 × 12.5 = 87.5 → 88 and 3 × 25 = 75: 163.
        Assert.Equal([35L, 30L, 350L, 1200L, 163L], new[] { perUnit, graduated, volume, package, costPlus }
            .Select(m => april.Single(l => l.Line.Description.Contains(m.Name + ":", StringComparison.Ordinal)).Line.NetAmountMinor));
        Assert.All(april, l => Assert.Equal(fixedApril.Invoice.Id, l.Invoice.Id));
        Assert.Equal(InvoiceStatus.Finalised, fixedApril.Invoice.Status);
        Assert.All(april, l => Assert.Equal((fixedApril.Line.VatCategory, fixedApril.Line.VatRateBasisPoints), (l.Line.VatCategory, l.Line.VatRateBasisPoints)));
        Assert.All(april, l => Assert.Equal(At("2026-04-01T00:00:00Z"), l.Line.PeriodEnd));
        Assert.Equal(2900 + 35 + 30 + 350 + 1200 + 163, lines.Where(l => l.Invoice.Id == fixedApril.Invoice.Id).Sum(l => l.Line.NetAmountMinor)); // the tenant's other subscriptions share the invoice

        var graduatedLine = april.Single(l => l.Line.NetAmountMinor == 30).Line.Description;
        Assert.Contains("25 unit (5 included)", graduatedLine, StringComparison.Ordinal);
        Assert.Contains("1 - 10: 10 × EUR 0.02 = EUR 0.20", graduatedLine, StringComparison.Ordinal);
        Assert.Contains("11 - 20: 10 × EUR 0.01 = EUR 0.10", graduatedLine, StringComparison.Ordinal);

        // usage.period_closed.v1 once, with the totals.
        var closed = Assert.Single(await PeriodClosedAsync(id));
        Assert.Equal((1778L, "2026-03-01T00:00:00+00:00"), (closed.Long("amount"), At(closed.Str("period_start")).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture)));
        var gr = closed["meters"]!.AsArray().Single(m => m!.Str("meter_id") == graduated.Id)!;
        Assert.Equal(("25", 25L, 30L), (gr.Str("quantity"), gr.Long("events"), gr.Long("amount")));

        // Another run later: nothing more for March.
        app.Clock.Now = At("2026-04-02T00:00:00Z");
        await BillAsync("2026-04");
        Assert.Equal(lines.Count, (await LinesAsync(id)).Count);
        Assert.Single(await PeriodClosedAsync(id));
    }

    [Fact]
    public async Task ProrationBesideUsage_OnTheNextInvoice()
    {
        app.Clock.Now = At("2026-03-01T00:00:00Z");
        var team = await PlanAsync("scaicms", 3100);
        var business = await PlanAsync("scaicms", 6200);
        var meter = await MeterAsync("scaicms", MeterAggregation.Sum, team, new UsageChargeTerms(UsagePriceModel.PerUnit, UnitPriceMicroMinor: 1_000_000));
        await using (var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test"))
        {
            db.PlanUsageCharges.Add(new PlanUsageCharge(business, meter.Id, new UsageChargeTerms(UsagePriceModel.PerUnit, UnitPriceMicroMinor: 500_000), null, null, null, false, app.Clock.Now));
            await db.SaveChangesAsync();
        }

        var claire = await app.ClientForAsync(Api.Claire);
        var id = (await claire.PostJson("/api/v1/subscriptions", new { plan_id = team }, HttpStatusCode.Created)).Str("id");
        await BillAsync("2026-03");
        app.Clock.Now = At("2026-03-16T00:00:00Z");
        await IngestAsync(claire, Event("c-1", meter, "300", At("2026-03-10T10:00:00Z")));

        // 16 March: 16 of 31 days left. Credit 3100 × 16/31 = 1600; charge 6200 × 16/31 = 3200.
        await claire.PostJson($"/api/v1/subscriptions/{id}/change-plan", new { plan_id = business, effective = "now" }, HttpStatusCode.OK);
        app.Clock.Now = At("2026-03-21T00:00:00Z");
        await IngestAsync(claire, Event("c-2", meter, "100", At("2026-03-20T10:00:00Z")));

        // 1 April: April at the new rate, the proration charge and credit, and March's 400 units at the plan in force (0.5 cent): 200.
        app.Clock.Now = At("2026-04-01T00:00:10Z");
        await BillAsync("2026-04");
        var onApril = (await LinesAsync(id)).Where(l => l.Invoice.CreatedAt >= At("2026-04-01T00:00:00Z")).ToList();
        Assert.Single(onApril.Select(l => l.Invoice.Id).Distinct());
        Assert.Equal([6200L, 200L, 3200L, -1600L], onApril.Select(l => l.Line.NetAmountMinor));
        Assert.Contains("400 unit", onApril[1].Line.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Corrections_BeforeAndAfterTheInvoice_WithinAndPastTheGrace_AndLateEvents()
    {
        app.Clock.Now = At("2026-05-01T00:00:00Z");
        var plan = await PlanAsync("scaicrm", 1000);
        var meter = await MeterAsync("scaicrm", MeterAggregation.Sum, plan, new UsageChargeTerms(UsagePriceModel.PerUnit, UnitPriceMicroMinor: 1_000_000)); // 1 cent a unit
        var peak = await MeterAsync("scaicrm", MeterAggregation.Max);
        var eva = await app.ClientForAsync(Api.Eva);
        var id = (await eva.PostJson("/api/v1/subscriptions", new { plan_id = plan }, HttpStatusCode.Created)).Str("id");
        await BillAsync("2026-05");

        app.Clock.Now = At("2026-05-12T00:00:00Z");
        var at = At("2026-05-10T10:00:00Z");
        await IngestAsync(eva, Event("e1", meter, "100", at), Event("e2", meter, "50", at.AddMinutes(5)), Event("p1", peak, "5", at), Event("p2", peak, "9", at.AddMinutes(1)));

        // Before the invoice: amend and void belong to the period.
        var amended = await eva.PostJson("/api/v1/usage/corrections", new { event_id = "e1", action = "amend", quantity = "80", reason = "double counted" }, HttpStatusCode.Created);
        Assert.Equal(("100", "80", "period"), (amended.Str("previous_quantity"), amended.Str("quantity"), amended.Str("settlement")));
        Assert.Equal("period", (await eva.PostJson("/api/v1/usage/corrections", new { event_id = "e2", action = "void" }, HttpStatusCode.Created)).Str("settlement"));
        await eva.PostJson("/api/v1/usage/corrections", new { event_id = "p2", action = "void" }, HttpStatusCode.Created);
        var range = $"from={T(At("2026-05-10T00:00:00Z"))}&to={T(At("2026-05-11T00:00:00Z"))}";
        var summary = await eva.GetJson($"/api/v1/usage/summary?subscription_id={id}&granularity=period&{range}");
        Assert.Equal("80", summary["meters"]!.AsArray().Single(m => m!.Str("meter") == meter.Code)!.Str("total"));
        Assert.Equal("5", summary["meters"]!.AsArray().Single(m => m!.Str("meter") == peak.Code)!.Str("total")); // the max without the voided 9
        var hourly = await eva.GetJson($"/api/v1/usage/summary?subscription_id={id}&meter={meter.Code}&granularity=hour&from={T(At("2026-05-10T10:00:00Z"))}&to={T(At("2026-05-10T11:00:00Z"))}");
        Assert.Equal(1, hourly["meters"]![0]!["events"]!.GetValue<long>()); // the voided event is not counted

        // Refusals: voided twice, bad input, another tenant, another partner, another source: nothing written.
        await (await eva.PostAsJsonAsync("/api/v1/usage/corrections", new { event_id = "e2", action = "void" })).Problem(HttpStatusCode.Conflict);
        await (await eva.PostAsJsonAsync("/api/v1/usage/corrections", new { event_id = "e1", action = "delete" })).Problem(HttpStatusCode.UnprocessableEntity);
        await (await eva.PostAsJsonAsync("/api/v1/usage/corrections", new { event_id = "e1", action = "amend" })).Problem(HttpStatusCode.UnprocessableEntity);
        await (await eva.PostAsJsonAsync("/api/v1/usage/corrections", new { event_id = "e1", action = "amend", quantity = "-3" })).Problem(HttpStatusCode.UnprocessableEntity);
        await (await eva.PostAsJsonAsync("/api/v1/usage/corrections", new { event_id = "nope", action = "void" })).Problem(HttpStatusCode.NotFound);
        var tenantId = (await app.ActorForAsync(Api.Eva)).TenantId;
        var anna = await app.ClientForAsync(Api.Anna);
        await (await anna.PostAsJsonAsync("/api/v1/usage/corrections", new { event_id = "e1", tenant_id = tenantId, action = "void" })).Problem(HttpStatusCode.NotFound);
        var lars = await app.ClientForAsync(Api.Lars); // Eva's own partner, but not the events' source
        await (await lars.PostAsJsonAsync("/api/v1/usage/corrections", new { event_id = "e1", tenant_id = tenantId, action = "void" })).Problem(HttpStatusCode.NotFound);
        await (await lars.PostAsJsonAsync("/api/v1/usage/corrections", new { event_id = "e1", tenant_id = tenantId, source = "tenant", action = "void" })).Problem(HttpStatusCode.NotFound);
        Assert.Equal("80", (await eva.GetJson($"/api/v1/usage/summary?subscription_id={id}&meter={meter.Code}&granularity=period&{range}"))["meters"]![0]!.Str("total"));

        // 1 June: May's 80 units on June's invoice.
        app.Clock.Now = At("2026-06-01T00:00:10Z");
        await BillAsync("2026-06");
        Assert.Equal(80, Assert.Single(await LinesAsync(id), l => l.Line.PeriodStart == At("2026-05-01T00:00:00Z") && l.Line.BillingKey!.StartsWith("u:", StringComparison.Ordinal)).Line.NetAmountMinor);

        // 3 June, within the grace (7 days): an amendment to 90 and a late event of 5 still belong to May.
        app.Clock.Now = At("2026-06-03T00:00:00Z");
        Assert.Equal("period", (await eva.PostJson("/api/v1/usage/corrections", new { event_id = "e1", action = "amend", quantity = 90 }, HttpStatusCode.Created)).Str("settlement"));
        await IngestAsync(eva, Event("e3", meter, "5", At("2026-05-20T10:00:00Z")));

        // 20 June, past the grace: a void of the late event becomes a charge on the next invoice: May is now 90 units, billed 80: +10.
        app.Clock.Now = At("2026-06-20T00:00:00Z");
        var late = await eva.PostJson("/api/v1/usage/corrections", new { event_id = "e3", action = "void" }, HttpStatusCode.Created);
        Assert.Equal(("next_invoice", 10L, "EUR"), (late.Str("settlement"), late.Long("charge_amount"), late.Str("currency")));
        var pending = (await eva.GetJson($"/api/v1/subscriptions/{id}/pending-charges")).Items();
        Assert.Equal(("usage_correction", 10L), (Assert.Single(pending).Str("kind"), pending[0].Long("amount")));

        // 1 July: the +10 once (no second adjustment for May), June's usage line (none used: 0).
        app.Clock.Now = At("2026-07-01T00:00:10Z");
        await BillAsync("2026-07");
        var july = (await LinesAsync(id)).Where(l => l.Invoice.CreatedAt >= At("2026-07-01T00:00:00Z")).ToList();
        Assert.Equal([1000L, 0L, 10L], july.Select(l => l.Line.NetAmountMinor));
        Assert.Equal(At("2026-05-01T00:00:00Z"), july[2].Line.PeriodStart);

        // 5 July: a late event for June (3 units) after June's invoice: August's invoice carries June's adjustment.
        app.Clock.Now = At("2026-07-05T00:00:00Z");
        await IngestAsync(eva, Event("e4", meter, "3", At("2026-06-15T10:00:00Z")));
        app.Clock.Now = At("2026-08-01T00:00:10Z");
        await BillAsync("2026-08");
        var august = (await LinesAsync(id)).Where(l => l.Invoice.CreatedAt >= At("2026-08-01T00:00:00Z")).ToList();
        Assert.Equal([1000L, 0L, 3L], august.Select(l => l.Line.NetAmountMinor));
        Assert.Contains("0 → 3", august[2].Line.Description, StringComparison.Ordinal);
        Assert.Equal(At("2026-06-01T00:00:00Z"), august[2].Line.PeriodStart);
        Assert.Equal(3, (await PeriodClosedAsync(id)).Count); // May, June, July: once each
    }
}

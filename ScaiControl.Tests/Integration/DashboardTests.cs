using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;
using W = ScaiControl.Tests.Integration.DashboardWorld;

namespace ScaiControl.Tests.Integration;

/// <summary>
/// The operator dashboard, the tenant overview, the subscribe quote and the billing-profile VAT preview against
/// <see cref="DashboardWorld"/>, every figure computed by hand from the world's timeline (see its comment). Read only:
/// the world is shared by the tests of the class.
/// </summary>
public abstract class DashboardTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : ScaiAppFactory, IDashboardApp
{
    [Fact]
    public async Task OperatorDashboard_MatchesTheHandComputedFigures()
    {
        var d = await (await app.ClientForAsync(W.OpsEmail)).GetJson("/api/v1/admin/dashboard");
        Assert.Equal(("platform", "2026-06"), (d.Str("scope"), d.Str("month")));

        // Live (active, past_due, cancelling) on 15 June: EUR monthly nl Alpha 1000 + no Alpha 1000 + nop Alpha 1000 + nl pack Duo 1200
        // + no Delta (cancelling) 400 = 4600; yearly de Alpha 10000 → 10000 / 12 = 833.33 → 833. MRR 5433, ARR 4600 × 12 + 10000 = 65200.
        // USD: us Gamma 2000 → MRR 2000, ARR 24000. Not live: fr Alpha (cancelled), de Delta (suspended), two Beta trials, pack children.
        Assert.Equal([("EUR", 5433L, 65200L, 6), ("USD", 2000L, 24000L, 1)], Recurring(d));

        // Standalone subscriptions plus the pack once: active nl Alpha, de Alpha-y, us Gamma, no Alpha, nop Alpha + pack Duo = 6.
        Assert.Equal(new Dictionary<string, int>
        {
            ["pending"] = 0, ["trialing"] = 2, ["active"] = 6, ["past_due"] = 0, ["cancelling"] = 1, ["cancelled"] = 1, ["expired"] = 0, ["suspended"] = 1,
        }, States(d));

        // June: no Delta (06-02), fr Beta (06-05), us Beta (06-14) are new; fr Alpha cancelled on 06-05.
        Assert.Equal((3, 1), (d["new_this_month"]!.GetValue<int>(), d["churned_this_month"]!.GetValue<int>()));

        // EUR April: nl 1000 + 1200, de 10000 + 400 (Delta before its suspension), fr 1000, no 1000 = 14600 (nop's invoice stays draft).
        // May: nl 2200 − credit note 500, fr 1000, no 1000 = 3700. June: nl 2200, fr 1000, no 1000 = 4200. USD 2000 each month.
        var eur = Series(d, "EUR");
        Assert.Equal(12, eur.Count);
        Assert.Equal(("2025-07", "2026-06"), (eur.Keys.First(), eur.Keys.Last()));
        Assert.Equal([0L, 0, 0, 0, 0, 0, 0, 0, 0, 14600, 3700, 4200], eur.Values);
        Assert.Equal([0L, 0, 0, 0, 0, 0, 0, 0, 0, 2000, 2000, 2000], Series(d, "USD").Values);

        // By VAT treatment over the 12 months: domestic nl 3 × 2200 − 500 = 6100; reverse charge de 10400; OSS fr 3 × 1000; export no 3 × 1000 (EUR), us 6000 (USD).
        Assert.Equal(new Dictionary<(string, string), long>
        {
            [("EUR", "domestic")] = 6100, [("EUR", "reverse_charge")] = 10400, [("EUR", "oss")] = 3000, [("EUR", "export")] = 3000,
            [("USD", "domestic")] = 0, [("USD", "reverse_charge")] = 0, [("USD", "oss")] = 0, [("USD", "export")] = 6000,
        }, Treatments(d));

        // Trials ending before 06-22 12:00: fr's Beta (06-19 08:00); us's (06-28) is later.
        var trial = Assert.Single(d["trials_ending_soon"]!.AsArray())!;
        Assert.Equal(("French Consumer", "Beta", DateTimeOffset.Parse("2026-06-19T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture)),
            (trial.Str("tenant_name"), trial.Str("service_name"), trial["trial_end"]!.GetValue<DateTimeOffset>()));

        // Three runs, newest first; each met nop (no billing profile): 6, 5 and 5 tenants with one draft each.
        var runs = d["recent_billing_runs"]!.AsArray().Select(r => r!).ToList();
        Assert.Equal(["2026-06", "2026-05", "2026-04"], runs.Select(r => r.Str("period")));
        Assert.All(runs, r => Assert.Equal("completed_with_errors", r.Str("outcome")));
        Assert.Equal([(5, 5, 4), (5, 5, 4), (6, 6, 5)], runs.Select(r => (r["tenants_total"]!.GetValue<int>(), r["invoices_created"]!.GetValue<int>(), r["invoices_finalised"]!.GetValue<int>())));
        Assert.All(runs, r => Assert.Contains("no billing profile", Assert.Single(r["errors"]!.AsArray())!.GetValue<string>(), StringComparison.Ordinal));
        Assert.All(runs, r => Assert.NotNull(r["duration_seconds"]?.GetValue<double>()));

        // Webhooks: 3 delivery attempts since 06-08 12:00, 2 answered 2xx; one pending, one given up; Op's failing, Res's disabled.
        var hooks = d["webhooks"]!;
        Assert.Equal((3, 2, 0.6667, 1, 1), (hooks["attempts"]!.GetValue<int>(), hooks["successful_attempts"]!.GetValue<int>(), hooks["success_rate"]!.GetValue<double>(),
            hooks["pending_deliveries"]!.GetValue<int>(), hooks["failed_deliveries"]!.GetValue<int>()));
        Assert.Equal(["https://crm.op.example/hook", "https://erp.res.example/hook"], hooks["failing_subscribers"]!.AsArray().Select(s => s!.Str("url")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task PartnerAdminDashboard_CountsItsOwnTenantsOnly_AndTenantsMayNotSeeIt()
    {
        var d = await (await app.ClientForAsync(W.ResAdminEmail)).GetJson("/api/v1/admin/dashboard");
        Assert.Equal("partner", d.Str("scope"));
        // Res AB: no's Alpha 1000 (active) + Delta 400 (cancelling).
        Assert.Equal([("EUR", 1400L, 16800L, 2)], Recurring(d));
        Assert.Equal((1, 1), (States(d)["active"], States(d)["cancelling"]));
        Assert.Equal(2, States(d).Values.Sum());
        Assert.Equal((1, 0), (d["new_this_month"]!.GetValue<int>(), d["churned_this_month"]!.GetValue<int>()));
        Assert.Equal([0L, 0, 0, 0, 0, 0, 0, 0, 0, 1000, 1000, 1000], Series(d, "EUR").Values);
        Assert.Single(d["revenue_by_month"]!.AsArray());
        Assert.Equal(3000, Treatments(d)[("EUR", "export")]);
        Assert.Equal(0, Treatments(d)[("EUR", "domestic")]);
        Assert.Empty(d["trials_ending_soon"]!.AsArray());

        // Its own invoice of each run, none of another partner's errors.
        var runs = d["recent_billing_runs"]!.AsArray().Select(r => r!).ToList();
        Assert.All(runs, r => Assert.Equal(("completed", 1, 1), (r.Str("outcome"), r["invoices_created"]!.GetValue<int>(), r["invoices_finalised"]!.GetValue<int>())));
        Assert.All(runs, r => Assert.Empty(r["errors"]!.AsArray()));

        var hooks = d["webhooks"]!;
        Assert.Equal(0, hooks["attempts"]!.GetValue<int>());
        Assert.Null(hooks["success_rate"]);
        Assert.Equal("https://erp.res.example/hook", Assert.Single(hooks["failing_subscribers"]!.AsArray())!.Str("url"));

        var tenant = await app.ClientForAsync(W.NlEmail);
        Assert.Equal(HttpStatusCode.Forbidden, (await tenant.GetAsync("/api/v1/admin/dashboard")).StatusCode);
    }

    [Fact]
    public async Task TenantOverview_ShowsServicesRenewalsInvoicesAndTrials()
    {
        var nl = await app.ClientForAsync(W.NlEmail);
        var o = await nl.GetJson("/api/v1/overview");
        Assert.Equal("Dutch B.V.", o.Str("tenant_name"));
        var services = o["services"]!.AsArray().Select(s => s!).ToList();
        Assert.Equal([("subscription", "Alpha – Alpha monthly", "active"), ("pack", "Duo", "active")], services.Select(s => (s.Str("kind"), s.Str("name"), s.Str("status"))));
        Assert.Equal(["Alpha", "Delta"], services[1]["services"]!.AsArray().Select(x => x!.GetValue<string>()));

        // Anchored 04-01 00:00, monthly: the next period (and its invoice) starts 07-01 00:00; domestic 21 %: 1000 + 210, 1200 + 252.
        var renewals = o["renewals"]!.AsArray().Select(r => r!).ToList();
        Assert.Equal([(1000L, 210L, 1210L), (1200L, 252L, 1452L)], renewals.Select(r => (r.Long("net"), r.Long("vat"), r.Long("gross"))).Order());
        Assert.All(renewals, r => Assert.Equal(DateTimeOffset.Parse("2026-07-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture), r["renews_at"]!.GetValue<DateTimeOffset>()));

        // Open: the June invoice (issued 06-01, due 06-15); May's was due 05-15. Recent: June, the credit note, May, April.
        var open = Assert.Single(o["open_invoices"]!.AsArray())!;
        Assert.Equal(("2026-06-01", 2200L, 462L, 2662L), (open.Str("issue_date"), open.Long("net"), open.Long("vat"), open.Long("gross")));
        Assert.Equal([("invoice", "2026-06-01"), ("credit_note", "2026-05-20"), ("invoice", "2026-05-01"), ("invoice", "2026-04-01")],
            o["recent_invoices"]!.AsArray().Select(i => (i!.Str("document_type"), i!.Str("issue_date"))));
        Assert.Empty(o["trials"]!.AsArray());

        // fr: the Beta trial ends 06-19 08:00, 3 days 20 hours away: 4 days left; the cancelled Alpha is not a live service.
        var fr = await (await app.ClientForAsync(W.FrEmail)).GetJson("/api/v1/overview");
        var trial = Assert.Single(fr["trials"]!.AsArray())!;
        Assert.Equal((4, "activate"), (trial["days_left"]!.GetValue<int>(), trial.Str("then_what")));
        Assert.Equal(["Beta – Beta monthly"], fr["services"]!.AsArray().Select(s => s!.Str("name")));
        var frRenewal = Assert.Single(fr["renewals"]!.AsArray())!;
        Assert.Equal((500L, 100L, 600L), (frRenewal.Long("net"), frRenewal.Long("vat"), frRenewal.Long("gross")));

        // A tenant cannot read another tenant's overview; the operator names the tenant; a partner admin cannot see another partner's tenant.
        var frTenant = (await app.ActorForAsync(W.FrEmail)).TenantId;
        await (await nl.GetAsync($"/api/v1/overview?tenant_id={frTenant}")).Problem(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("French Consumer", (await (await app.ClientForAsync(W.OpsEmail)).GetJson($"/api/v1/overview?tenant_id={frTenant}")).Str("tenant_name"));
        await (await (await app.ClientForAsync(W.OpsEmail)).GetAsync("/api/v1/overview")).Problem(HttpStatusCode.UnprocessableEntity);
        await (await (await app.ClientForAsync(W.ResAdminEmail)).GetAsync($"/api/v1/overview?tenant_id={frTenant}")).Problem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task SubscribeQuote_GivesThisBuyersVatAndFirstInvoice_WarnsAboutServicesItHas_AndWritesNothing()
    {
        var before = await CountsAsync();
        var nl = await app.ClientForAsync(W.NlEmail);
        var deltaPlan = await nl.PlanId("delta", "delta-m");

        // 15 June 12:00, no trial: the first period [06-15, 07-15) is invoiced when it starts (docs/decisions/0009), never a
        // later one: 400, domestic 21 % = 84, gross 484. nl already has Delta inside its pack Duo.
        var q = await nl.GetJson($"/api/v1/subscriptions/quote?plan_id={deltaPlan}");
        Assert.Equal(("plan", "Delta", 400L, "EUR", "month"), (q.Str("kind"), q.Str("service_name"), q.Long("price"), q.Str("currency"), q.Str("interval")));
        Assert.Equal(("domestic", "S", 2100), (q["vat"]!.Str("treatment"), q["vat"]!.Str("category"), q["vat"]!["rate_basis_points"]!.GetValue<int>()));
        var first = q["first_invoice"]!;
        Assert.Equal(("2026-06-15", "2026-06", 1, 400L, 84L, 484L),
            (first.Str("issue_date"), first.Str("run_period"), first["periods"]!.AsArray().Count, first.Long("net"), first.Long("vat"), first.Long("gross")));
        var existing = Assert.Single(q["already_subscribed"]!.AsArray())!;
        Assert.Equal(("Delta", "Duo"), (existing.Str("service_name"), existing.Str("pack_name")));
        Assert.Contains(q["warnings"]!.AsArray(), w => w!.GetValue<string>().Contains("inside the pack Duo", StringComparison.Ordinal));

        // de (reverse charge), Beta with a 14-day trial: paid from 06-29 12:00, invoiced then for [06-29, 07-29): 500, VAT 0.
        var de = await app.ClientForAsync(W.DeEmail);
        var beta = await de.PostJson("/api/v1/subscriptions/quote", new { plan_id = await de.PlanId("beta", "beta-m") }, HttpStatusCode.OK);
        Assert.Equal(("reverse_charge", 0), (beta["vat"]!.Str("treatment"), beta["vat"]!["rate_basis_points"]!.GetValue<int>()));
        Assert.Contains("Art. 196", beta["vat"]!.Str("legal_note"), StringComparison.Ordinal);
        Assert.Equal((14, "2026-06-29", 500L, 0L, 500L), (beta["trial_days"]!.GetValue<int>(), beta["first_invoice"]!.Str("issue_date"), beta["first_invoice"]!.Long("net"), beta["first_invoice"]!.Long("vat"), beta["first_invoice"]!.Long("gross")));
        Assert.Empty(beta["already_subscribed"]!.AsArray());

        // fr (OSS, FR 20 %), Alpha yearly: one period; 10000 + 2000. It had Alpha monthly, now cancelled: no warning.
        var fr = await app.ClientForAsync(W.FrEmail);
        var yearly = await fr.GetJson($"/api/v1/subscriptions/quote?plan_id={await fr.PlanId("alpha", "alpha-y")}");
        Assert.Equal(("oss", 2000, 1, 12000L), (yearly["vat"]!.Str("treatment"), yearly["vat"]!["rate_basis_points"]!.GetValue<int>(),
            yearly["first_invoice"]!["periods"]!.AsArray().Count, yearly["first_invoice"]!.Long("gross")));
        Assert.Empty(yearly["already_subscribed"]!.AsArray());

        // A pack: nl has Alpha alone, and Alpha and Delta inside Duo already.
        var packs = await nl.GetJson("/api/v1/catalog/packs");
        var duo = packs.Items().Single(p => p.Str("code") == "duo").Str("id");
        var pack = await nl.GetJson($"/api/v1/subscriptions/quote?pack_id={duo}");
        Assert.Equal(("pack", 1200L), (pack.Str("kind"), pack.Long("price")));
        Assert.Equal([("Alpha", null), ("Alpha", "Duo"), ("Delta", "Duo")],
            pack["already_subscribed"]!.AsArray().Select(e => (e!.Str("service_name"), e!["pack_name"]?.GetValue<string>())).Order());

        // Bad input: 422 naming the field, nothing written.
        await (await nl.GetAsync("/api/v1/subscriptions/quote")).Problem(HttpStatusCode.UnprocessableEntity);
        Assert.NotNull((await (await nl.GetAsync("/api/v1/subscriptions/quote?plan_id=pln_NOPE")).Problem(HttpStatusCode.UnprocessableEntity))["errors"]!["plan_id"]);
        Assert.NotNull((await (await nl.GetAsync($"/api/v1/subscriptions/quote?plan_id={deltaPlan}&pack_id={duo}")).Problem(HttpStatusCode.UnprocessableEntity))["errors"]);
        Assert.NotNull((await (await nl.GetAsync($"/api/v1/subscriptions/quote?plan_id={deltaPlan}&tenant_id=tnt_other")).Problem(HttpStatusCode.UnprocessableEntity))["errors"]!["tenant_id"]);
        Assert.Equal(before, await CountsAsync());
    }

    [Fact]
    public async Task VatPreview_SaysWhetherTheTreatmentChanges_AndSaveRefusesAMismatchedOrInvalidId_WritingNothing()
    {
        var de = await app.ClientForAsync(W.DeEmail);
        var deTenant = (await app.ActorForAsync(W.DeEmail)).TenantId;
        var url = $"/api/v1/tenants/{deTenant}/billing-profile";

        // Same id: reverse charge stays. Moving to NL (the seller's country) with a Dutch id: domestic 21 %.
        var same = await de.PostJson($"{url}/vat-preview", new { country = "DE", vat_id = "DE 811 907 980" }, HttpStatusCode.OK);
        Assert.Equal((false, false, "reverse_charge", "DE811907980"), (same["changes"]!.GetValue<bool>(), same["needs_vies_confirmation"]!.GetValue<bool>(), same["proposed"]!.Str("treatment"), same.Str("vat_id")));
        var toNl = await de.PostJson($"{url}/vat-preview", new { country = "NL", vat_id = "NL853746333B01" }, HttpStatusCode.OK);
        Assert.Equal((true, "reverse_charge", "domestic", 2100), (toNl["changes"]!.GetValue<bool>(), toNl["current"]!.Str("treatment"), toNl["proposed"]!.Str("treatment"),
            toNl["proposed"]!["rate_basis_points"]!.GetValue<int>()));
        Assert.Contains("from reverse charge at 0.00 % to domestic at 21.00 %", toNl.Str("message"), StringComparison.Ordinal);
        // Dropping the VAT id: OSS at the German rate (19 %). A new Austrian id still needs VIES: reverse charge once confirmed, OSS (AT 20 %) until then.
        var noId = await de.PostJson($"{url}/vat-preview", new { country = "DE" }, HttpStatusCode.OK);
        Assert.Equal(("oss", 1900), (noId["proposed"]!.Str("treatment"), noId["proposed"]!["rate_basis_points"]!.GetValue<int>()));
        var at = await de.PostJson($"{url}/vat-preview", new { country = "AT", vat_id = "ATU13585627" }, HttpStatusCode.OK);
        Assert.Equal((true, "reverse_charge", "oss"), (at["needs_vies_confirmation"]!.GetValue<bool>(), at["proposed"]!.Str("treatment"), at["proposed_if_not_confirmed"]!.Str("treatment")));

        // A Dutch id with Niger (NE) as the country, a Greek id with GR as its prefix, a bad check digit, an unknown country: field errors.
        Assert.Contains("Netherlands", FieldError(await (await de.PostAsJsonAsync($"{url}/vat-preview", new { country = "NE", vat_id = "NL853746333B01" })).Problem(HttpStatusCode.UnprocessableEntity), "vat_id"), StringComparison.Ordinal);
        Assert.Contains("starts with EL", FieldError(await (await de.PostAsJsonAsync($"{url}/vat-preview", new { country = "GR", vat_id = "GR094259216" })).Problem(HttpStatusCode.UnprocessableEntity), "vat_id"), StringComparison.Ordinal);
        Assert.Contains("check digit", FieldError(await (await de.PostAsJsonAsync($"{url}/vat-preview", new { country = "DE", vat_id = "DE811907981" })).Problem(HttpStatusCode.UnprocessableEntity), "vat_id"), StringComparison.Ordinal);
        FieldError(await (await de.PostAsJsonAsync($"{url}/vat-preview", new { country = "Netherlands" })).Problem(HttpStatusCode.UnprocessableEntity), "country");
        Assert.Equal("EL094259216", (await de.PostJson($"{url}/vat-preview", new { country = "GR", vat_id = "EL094259216" }, HttpStatusCode.OK)).Str("vat_id"));

        // Save refuses the same ids with the same field errors and changes nothing.
        var stored = await de.GetJson(url);
        foreach (var (country, vatId) in new[] { ("NE", "NL853746333B01"), ("GR", "GR094259216"), ("DE", "DE811907981") })
        {
            var refused = await (await de.PutAsJsonAsync(url, new
            {
                legal_name = "German GmbH", address_line1 = "Street 1", postal_code = "1000", city = "City", country, vat_id = vatId, email = W.DeEmail,
            })).Problem(HttpStatusCode.UnprocessableEntity);
            FieldError(refused, "vat_id");
        }

        Assert.Equal(stored.ToJsonString(), (await de.GetJson(url)).ToJsonString());

        // Another tenant's profile is invisible to a tenant user: 404.
        var nlTenant = (await app.ActorForAsync(W.NlEmail)).TenantId;
        await (await de.PostAsJsonAsync($"/api/v1/tenants/{nlTenant}/billing-profile/vat-preview", new { country = "DE" })).Problem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Countries_AreTheIsoListWithNames_AndBillingRunsAreListedNewestFirst()
    {
        var ops = await app.ClientForAsync(W.OpsEmail);
        var countries = (await ops.GetJson("/api/v1/countries")).Items();
        Assert.Equal(249, countries.Count);
        var byCode = countries.ToDictionary(c => c.Str("code"));
        Assert.Equal(("Netherlands", true, "NL"), (byCode["NL"].Str("name"), byCode["NL"]["eu"]!.GetValue<bool>(), byCode["NL"].Str("vat_prefix")));
        Assert.Equal(("Niger", false), (byCode["NE"].Str("name"), byCode["NE"]["eu"]!.GetValue<bool>()));
        Assert.Equal(("Greece", "EL"), (byCode["GR"].Str("name"), byCode["GR"].Str("vat_prefix")));
        Assert.All(countries, c => Assert.NotEqual(c.Str("code"), c.Str("name")));
        Assert.Equal(countries.Select(c => c.Str("name")).Order(StringComparer.InvariantCultureIgnoreCase), countries.Select(c => c.Str("name")));

        var first = await ops.GetJson("/api/v1/admin/billing-runs?limit=2");
        Assert.Equal(["2026-06", "2026-05"], first.Items().Select(r => r.Str("period")));
        var rest = await ops.GetJson($"/api/v1/admin/billing-runs?limit=2&cursor={first.Str("next_cursor")}");
        Assert.Equal(["2026-04"], rest.Items().Select(r => r.Str("period")));
        Assert.Equal(HttpStatusCode.Forbidden, (await (await app.ClientForAsync(W.ResAdminEmail)).GetAsync("/api/v1/admin/billing-runs")).StatusCode);
        await (await ops.GetAsync("/api/v1/admin/billing-runs?limit=0")).Problem(HttpStatusCode.UnprocessableEntity);
    }

    private static string FieldError(JsonNode problem, string field) => problem["errors"]![field]![0]!.GetValue<string>();

    private async Task<(int, int, int, int)> CountsAsync()
    {
        await using var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        return (await db.Subscriptions.CountAsync(), await db.PackSubscriptions.CountAsync(), await db.Invoices.CountAsync(), await db.OutboxEvents.CountAsync());
    }

    private static List<(string, long, long, int)> Recurring(JsonNode d) =>
        d["recurring"]!.AsArray().Select(r => (r!.Str("currency"), r!.Long("mrr"), r!.Long("arr"), r!["subscriptions"]!.GetValue<int>())).ToList();

    private static Dictionary<string, int> States(JsonNode d) =>
        d["subscriptions_by_state"]!.AsArray().ToDictionary(s => s!.Str("status"), s => s!["count"]!.GetValue<int>());

    private static SortedDictionary<string, long> Series(JsonNode d, string currency) =>
        new(d["revenue_by_month"]!.AsArray().Single(s => s!.Str("currency") == currency)!["months"]!.AsArray().ToDictionary(m => m!.Str("month"), m => m!.Long("net")), StringComparer.Ordinal);

    private static Dictionary<(string, string), long> Treatments(JsonNode d) =>
        d["revenue_by_vat_treatment"]!.AsArray().ToDictionary(t => (t!.Str("currency"), t!.Str("treatment")), t => t!.Long("net"));
}

public sealed class SqliteDashboardTests(DashboardSqliteApp app) : DashboardTests<DashboardSqliteApp>(app);

public sealed class PostgresDashboardTests(DashboardPostgresApp app) : DashboardTests<DashboardPostgresApp>(app);

/// <summary>
/// The subscribe quote against the billing engine itself: quote, subscribe, let the clock reach the scheduled run,
/// run it, and the invoice carries exactly the quoted date, periods, net, VAT and gross (one plan without and one
/// with a trial, activated by the reaper at its end). Own world: this test writes.
/// </summary>
public abstract class QuoteAgreesWithBillingTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : ScaiAppFactory, IDashboardApp
{
    [Fact]
    public async Task TheFirstInvoice_IsWhatTheQuoteSaid()
    {
        var fr = await app.ClientForAsync(W.FrEmail);
        var de = await app.ClientForAsync(W.DeEmail);
        var delta = await fr.PlanId("delta", "delta-m");
        var beta = await de.PlanId("beta", "beta-m");
        var frQuote = await fr.GetJson($"/api/v1/subscriptions/quote?plan_id={delta}");
        var deQuote = await de.GetJson($"/api/v1/subscriptions/quote?plan_id={beta}");
        await fr.PostJson("/api/v1/subscriptions", new { plan_id = delta }, HttpStatusCode.Created);
        await de.PostJson("/api/v1/subscriptions", new { plan_id = beta }, HttpStatusCode.Created);

        // The on-time job right after: fr's Delta period has started. fr's own Beta trial (06-19) and de's new one
        // (06-29 12:00) end later; the reaper activates them and the job invoices their first periods then.
        var billing = app.Services.GetRequiredService<ScaiControl.Infrastructure.Invoicing.BillingRunService>();
        app.Clock.Now = DateTimeOffset.Parse("2026-06-15T12:04:00Z", System.Globalization.CultureInfo.InvariantCulture);
        await billing.InvoiceStartedAsync();
        app.Clock.Now = DateTimeOffset.Parse("2026-06-29T12:00:01Z", System.Globalization.CultureInfo.InvariantCulture);
        await app.Services.GetRequiredService<ScaiControl.Infrastructure.Subscriptions.SubscriptionReaper>().RunAsync(app.Clock.Now);
        await billing.InvoiceStartedAsync();

        foreach (var (email, quote, planName) in new[] { (W.FrEmail, frQuote, "Delta monthly"), (W.DeEmail, deQuote, "Beta monthly") })
        {
            var tenant = (await app.ActorForAsync(email)).TenantId;
            await using var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
            var invoice = (await db.Invoices.Include(i => i.Lines).Where(i => i.TenantId == tenant).ToListAsync())
                .Single(i => i.Lines.Any(l => l.Description.EndsWith(planName, StringComparison.Ordinal)));
            var lines = invoice.Lines.Where(l => l.Description.EndsWith(planName, StringComparison.Ordinal)).OrderBy(l => l.PeriodStart).ToList();
            var first = quote["first_invoice"]!;
            var periods = first["periods"]!.AsArray().Select(p => (p!["start"]!.GetValue<DateTimeOffset>(), p!["end"]!.GetValue<DateTimeOffset>())).ToList();
            Assert.Equal(first.Str("issue_date"), invoice.IssueDate!.Value.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(periods.Select(p => p.Item1.UtcTicks / TimeSpan.TicksPerSecond), lines.Select(l => l.PeriodStart!.Value.UtcTicks / TimeSpan.TicksPerSecond));
            Assert.Equal(periods.Select(p => p.Item2.UtcTicks / TimeSpan.TicksPerSecond), lines.Select(l => l.PeriodEnd!.Value.UtcTicks / TimeSpan.TicksPerSecond));
            Assert.Equal(first.Long("net"), lines.Sum(l => l.NetAmountMinor));
            Assert.All(lines, l => Assert.Equal(quote["vat"]!["rate_basis_points"]!.GetValue<int>(), l.VatRateBasisPoints));
            if (email == W.DeEmail)
            {
                // de has nothing else due, so the invoice's totals are the quoted ones.
                Assert.Equal(lines.Count, invoice.Lines.Count);
                Assert.Equal((first.Long("net"), first.Long("vat"), first.Long("gross")), (invoice.NetTotalMinor, invoice.VatTotalMinor, invoice.GrossTotalMinor));
            }
        }
    }
}

public sealed class SqliteQuoteAgreesWithBillingTests(DashboardSqliteApp app) : QuoteAgreesWithBillingTests<DashboardSqliteApp>(app);

public sealed class PostgresQuoteAgreesWithBillingTests(DashboardPostgresApp app) : QuoteAgreesWithBillingTests<DashboardPostgresApp>(app);

using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace ScaiControl.Tests.Integration;

/// <summary>Bad input gets a clear problem+json (400/404/409/422) and changes nothing; nothing a client sends gives a 500.</summary>
public abstract class BadInputTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : ScaiAppFactory
{
    [Fact]
    public async Task MalformedJson_Is400()
    {
        var anna = await app.ClientForAsync(Api.Anna);
        var before = (await anna.GetJson("/api/v1/subscriptions")).Items().Count;
        var response = await anna.PostAsync("/api/v1/subscriptions", new StringContent("{\"plan_id\": ", Encoding.UTF8, "application/json"));
        await response.Problem(HttpStatusCode.BadRequest);
        Assert.Equal(before, (await anna.GetJson("/api/v1/subscriptions")).Items().Count);
    }

    [Fact]
    public async Task MissingOrUnknownPlan_Is422NamingPlanId()
    {
        var anna = await app.ClientForAsync(Api.Anna);
        var missing = await (await anna.PostAsJsonAsync("/api/v1/subscriptions", new { })).Problem(HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(missing["errors"]!["plan_id"]);
        var unknown = await (await anna.PostAsJsonAsync("/api/v1/subscriptions", new { plan_id = "pln_DOESNOTEXIST" })).Problem(HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(unknown["errors"]!["plan_id"]);
    }

    [Fact]
    public async Task UnknownIds_Are404()
    {
        var anna = await app.ClientForAsync(Api.Anna);
        await (await anna.GetAsync("/api/v1/subscriptions/sub_NOPE")).Problem(HttpStatusCode.NotFound);
        await (await anna.GetAsync("/api/v1/invoices/inv_NOPE")).Problem(HttpStatusCode.NotFound);
        await (await anna.GetAsync("/api/v1/catalog/services/no-such-service/plans")).Problem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task CancellingTwice_Is409WithTheCurrentStateAndNoAllowedActions()
    {
        var claire = await app.ClientForAsync(Api.Claire);
        var plan = await claire.PlanId("scaicms", "cms-pro-monthly");
        var sub = await claire.PostJson("/api/v1/subscriptions", new { plan_id = plan }, HttpStatusCode.Created);
        var cancelled = await claire.PostJson($"/api/v1/subscriptions/{sub.Str("id")}/cancel", new { at_period_end = false, reason = "Too expensive" }, HttpStatusCode.OK);
        Assert.Equal("cancelled", cancelled.Str("status"));
        Assert.Equal("Too expensive", cancelled.Str("cancellation_reason"));

        var problem = await (await claire.PostAsJsonAsync($"/api/v1/subscriptions/{sub.Str("id")}/cancel", new { at_period_end = true })).Problem(HttpStatusCode.Conflict);
        Assert.Equal("cancelled", problem.Str("current_state"));
        Assert.Empty(problem["allowed_actions"]!.AsArray());
    }

    [Fact]
    public async Task CancelAtPeriodEnd_GoesToCancelling()
    {
        var sam = await app.ClientForAsync(Api.Sam);
        var plan = await sam.PlanId("scaidrive", "drive-starter-yearly");
        var sub = await sam.PostJson("/api/v1/subscriptions", new { plan_id = plan }, HttpStatusCode.Created);
        var cancelling = await sam.PostJson($"/api/v1/subscriptions/{sub.Str("id")}/cancel", new { at_period_end = true, reason = "Budget" }, HttpStatusCode.OK);
        Assert.Equal("cancelling", cancelling.Str("status"));
        Assert.Contains("resume", cancelling["allowed_actions"]!.AsArray().Select(a => a!.GetValue<string>()));
    }

    [Fact]
    public async Task FinalisingAFinalisedInvoice_Is409()
    {
        var ops = await app.ClientForAsync(Api.Ops);
        var invoice = (await ops.GetJson("/api/v1/invoices?status=finalised")).Items()[0];
        var problem = await (await ops.PostAsync($"/api/v1/invoices/{invoice.Str("id")}/finalize", null)).Problem(HttpStatusCode.Conflict);
        Assert.Equal("finalised", problem.Str("current_state"));
        var after = await ops.GetJson($"/api/v1/invoices/{invoice.Str("id")}");
        Assert.Equal(invoice.Str("number"), after.Str("number"));
    }

    [Theory]
    [InlineData("2026-13")]
    [InlineData("2026-1")]
    [InlineData("November")]
    [InlineData("2999-01")]
    [InlineData(null)]
    public async Task BadBillingPeriod_Is422NamingPeriod(string? period)
    {
        var ops = await app.ClientForAsync(Api.Ops);
        var problem = await (await ops.PostAsJsonAsync("/api/v1/admin/billing-runs", new { period })).Problem(HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(problem["errors"]!["period"]);
    }

    [Fact]
    public async Task BadFiltersAndPaging_Are422Or400()
    {
        var anna = await app.ClientForAsync(Api.Anna);
        Assert.NotNull((await (await anna.GetAsync("/api/v1/subscriptions?status=sleeping")).Problem(HttpStatusCode.UnprocessableEntity))["errors"]!["status"]);
        Assert.NotNull((await (await anna.GetAsync("/api/v1/invoices?limit=0")).Problem(HttpStatusCode.UnprocessableEntity))["errors"]!["limit"]);
        await (await anna.GetAsync("/api/v1/invoices?limit=abc")).Problem(HttpStatusCode.BadRequest);
        Assert.NotNull((await (await anna.GetAsync("/api/v1/invoices?cursor=%00%FF'--")).Problem(HttpStatusCode.UnprocessableEntity))["errors"]!["cursor"]);
        Assert.NotNull((await (await anna.GetAsync("/api/v1/subscriptions?cursor=x'%20OR%201=1")).Problem(HttpStatusCode.UnprocessableEntity))["errors"]!["cursor"]);
    }

    [Fact]
    public async Task InvalidVatId_Is422_AndTheProfileIsUnchanged()
    {
        var jonas = await app.ClientForAsync(Api.Jonas);
        var tenant = (await app.ActorForAsync(Api.Jonas)).TenantId;
        var before = await jonas.GetJson($"/api/v1/tenants/{tenant}/billing-profile");
        var problem = await (await jonas.PutAsJsonAsync($"/api/v1/tenants/{tenant}/billing-profile", new
        {
            legal_name = "Bergmann Software GmbH", address_line1 = "Friedrichstraße 68", postal_code = "10117", city = "Berlin", country = "DE",
            vat_id = "DE12", email = "jonas@bergmann-de.example",
        })).Problem(HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(problem["errors"]!["vat_id"]);
        var after = await jonas.GetJson($"/api/v1/tenants/{tenant}/billing-profile");
        Assert.Equal(before.Str("vat_id"), after.Str("vat_id"));
        Assert.Equal(before.Str("updated_at"), after.Str("updated_at"));
    }

    [Fact]
    public async Task VatIdFailingItsCheckDigit_Is422NamingVatId_AndTheProfileIsUnchanged()
    {
        var jonas = await app.ClientForAsync(Api.Jonas);
        var tenant = (await app.ActorForAsync(Api.Jonas)).TenantId;
        var before = await jonas.GetJson($"/api/v1/tenants/{tenant}/billing-profile");
        var problem = await (await jonas.PutAsJsonAsync($"/api/v1/tenants/{tenant}/billing-profile", new
        {
            legal_name = "Bergmann Software GmbH", address_line1 = "Friedrichstraße 68", postal_code = "10117", city = "Berlin", country = "DE",
            vat_id = "DE811907981", email = "jonas@bergmann-de.example", // the demo id DE811907980 with its check digit changed
        })).Problem(HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(problem["errors"]!["vat_id"]);
        var after = await jonas.GetJson($"/api/v1/tenants/{tenant}/billing-profile");
        Assert.Equal(before.Str("vat_id"), after.Str("vat_id"));
        Assert.Equal(before.Str("updated_at"), after.Str("updated_at"));
    }

    [Fact]
    public async Task Pagination_WalksEveryInvoiceOnceWithTheCursor()
    {
        var ops = await app.ClientForAsync(Api.Ops);
        var all = (await ops.GetJson("/api/v1/invoices?limit=200")).Items().Select(i => i.Str("id")).ToList();
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await ops.GetJson($"/api/v1/invoices?limit=2{(cursor is null ? "" : $"&cursor={cursor}")}");
            seen.AddRange(page.Items().Select(i => i.Str("id")));
            cursor = page["next_cursor"]?.GetValue<string>();
        }
        while (cursor is not null);

        Assert.Equal(all, seen);
    }
}

public sealed class SqliteBadInputTests(SqliteApp app) : BadInputTests<SqliteApp>(app);

public sealed class PostgresBadInputTests(PostgresApp app) : BadInputTests<PostgresApp>(app);

public sealed class MariaDbBadInputTests(MariaDbApp app) : BadInputTests<MariaDbApp>(app);

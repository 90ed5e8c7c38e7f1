using System.Net;
using System.Net.Http.Json;

namespace ScaiControl.Tests.Integration;

/// <summary>Tenant A can neither see nor touch tenant B's subscriptions, invoices or billing profile through any endpoint.</summary>
public abstract class IsolationTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : ScaiAppFactory
{
    [Fact]
    public async Task ATenant_SeesOnlyItsOwnSubscriptionsAndInvoices()
    {
        var anna = await app.ClientForAsync(Api.Anna);
        var annaTenant = (await app.ActorForAsync(Api.Anna)).TenantId;
        var subs = (await anna.GetJson("/api/v1/subscriptions")).Items();
        Assert.NotEmpty(subs);
        Assert.All(subs, s => Assert.Equal(annaTenant, s.Str("tenant_id")));
        var invoices = (await anna.GetJson("/api/v1/invoices")).Items();
        Assert.NotEmpty(invoices);
        Assert.All(invoices, i => Assert.Equal(annaTenant, i.Str("tenant_id")));
    }

    [Fact]
    public async Task ATenant_CannotReadOrTouchAnotherTenantsRecords()
    {
        var anna = await app.ClientForAsync(Api.Anna);
        var jonas = await app.ClientForAsync(Api.Jonas);
        var jonasTenant = (await app.ActorForAsync(Api.Jonas)).TenantId!;
        var jonasSub = (await jonas.GetJson("/api/v1/subscriptions")).Items()[0];
        var jonasInvoice = (await jonas.GetJson("/api/v1/invoices")).Items()[0];

        await (await anna.GetAsync($"/api/v1/subscriptions/{jonasSub.Str("id")}")).Problem(HttpStatusCode.NotFound);
        await (await anna.PostAsJsonAsync($"/api/v1/subscriptions/{jonasSub.Str("id")}/cancel", new { at_period_end = false })).Problem(HttpStatusCode.NotFound);
        await (await anna.GetAsync($"/api/v1/invoices/{jonasInvoice.Str("id")}")).Problem(HttpStatusCode.NotFound);
        await (await anna.GetAsync($"/api/v1/invoices/{jonasInvoice.Str("id")}/pdf")).Problem(HttpStatusCode.NotFound);
        await (await anna.GetAsync($"/api/v1/tenants/{jonasTenant}/billing-profile")).Problem(HttpStatusCode.NotFound);
        await (await anna.PutAsJsonAsync($"/api/v1/tenants/{jonasTenant}/billing-profile", new
        {
            legal_name = "Hijacked", address_line1 = "x", postal_code = "1", city = "x", country = "DE", email = "a@b.example",
        })).Problem(HttpStatusCode.NotFound);
        var plan = await anna.PlanId("scaicrm", "crm-team-monthly");
        var problem = await (await anna.PostAsJsonAsync("/api/v1/subscriptions", new { plan_id = plan, tenant_id = jonasTenant })).Problem(HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(problem["errors"]!["tenant_id"]);

        // Nothing changed for Jonas.
        var after = await jonas.GetJson($"/api/v1/subscriptions/{jonasSub.Str("id")}");
        Assert.Equal(jonasSub.Str("status"), after.Str("status"));
        Assert.Equal("Bergmann Software GmbH", (await jonas.GetJson($"/api/v1/tenants/{jonasTenant}/billing-profile")).Str("legal_name"));
    }

    [Fact]
    public async Task APartnerAdmin_SeesOnlyItsOwnTenantsInvoices_AndTheOperatorSeesAll()
    {
        var lars = await app.ClientForAsync(Api.Lars);
        var evaTenant = (await app.ActorForAsync(Api.Eva)).TenantId;
        var larsInvoices = (await lars.GetJson("/api/v1/invoices")).Items();
        Assert.NotEmpty(larsInvoices);
        Assert.All(larsInvoices, i => Assert.Equal(evaTenant, i.Str("tenant_id")));

        var ops = await app.ClientForAsync(Api.Ops);
        var all = (await ops.GetJson("/api/v1/invoices?limit=200")).Items();
        Assert.True(all.Select(i => i.Str("tenant_id")).Distinct().Count() >= 5);
    }

    [Fact]
    public async Task ATenant_CannotFinaliseInvoicesOrStartBillingRuns()
    {
        var anna = await app.ClientForAsync(Api.Anna);
        var invoice = (await anna.GetJson("/api/v1/invoices")).Items()[0];
        Assert.Equal(HttpStatusCode.Forbidden, (await anna.PostAsync($"/api/v1/invoices/{invoice.Str("id")}/finalize", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await anna.PostAsJsonAsync("/api/v1/admin/billing-runs", new { period = Api.CurrentPeriod })).StatusCode);
    }

    [Fact]
    public async Task NoToken_Is401()
    {
        var anonymous = app.CreateClient();
        await (await anonymous.GetAsync("/api/v1/invoices")).Problem(HttpStatusCode.Unauthorized);
    }
}

public sealed class SqliteIsolationTests(SqliteApp app) : IsolationTests<SqliteApp>(app);

public sealed class PostgresIsolationTests(PostgresApp app) : IsolationTests<PostgresApp>(app);

public sealed class MariaDbIsolationTests(MariaDbApp app) : IsolationTests<MariaDbApp>(app);

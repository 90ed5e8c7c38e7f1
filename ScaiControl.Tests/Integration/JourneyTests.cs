using System.Net;
using System.Text.RegularExpressions;

namespace ScaiControl.Tests.Integration;

/// <summary>
/// The main job end to end through /api/v1: a tenant subscribes, the operator runs the month's billing run, the
/// tenant finds an EU-correct, finalised, gap-free numbered invoice with a PDF. Runs on SQLite and PostgreSQL.
/// </summary>
public abstract partial class JourneyTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : ScaiAppFactory
{
    [Fact]
    public async Task Subscribe_ThenBillingRun_GivesTheTenantAFinalisedNumberedInvoiceWithPdf_AndARerunAddsNothing()
    {
        var anna = await app.ClientForAsync(Api.Anna);
        var ops = await app.ClientForAsync(Api.Ops);
        var planId = await anna.PlanId("scaicms", "cms-pro-yearly");

        var subscription = await anna.PostJson("/api/v1/subscriptions", new { plan_id = planId }, HttpStatusCode.Created);
        Assert.Equal("active", subscription.Str("status"));
        Assert.Equal(49000, subscription.Long("price"));

        var run = await ops.RunBillingAsync(Api.CurrentPeriod);
        Assert.Equal("completed", run.Str("status"));
        Assert.True(run.Long("invoices_finalised") >= 1, run.ToJsonString());

        var invoices = (await anna.GetJson("/api/v1/invoices")).Items();
        var invoice = invoices.Single(i => i["lines"]!.AsArray().Any(l => l!["subscription_id"]?.GetValue<string>() == subscription.Str("id")));
        Assert.Equal("finalised", invoice.Str("status"));
        Assert.Matches(NumberPattern(), invoice.Str("number"));
        var line = invoice["lines"]!.AsArray().Single(l => l!["subscription_id"]?.GetValue<string>() == subscription.Str("id"))!;
        Assert.Equal(49000, line.Long("net_amount"));
        Assert.Equal("S", line.Str("vat_category"));
        Assert.Equal("21.00", line.Str("vat_rate"));
        // Totals hold together: gross = net + VAT, VAT = 21 % of net rounded half away from zero per group.
        var net = invoice.Long("net_total");
        Assert.Equal(net + invoice.Long("vat_total"), invoice.Long("gross_total"));
        Assert.Equal((net * 21 + 50) / 100, invoice.Long("vat_total"));
        Assert.Equal("NL", invoice["buyer"]!.Str("country"));
        Assert.Equal("ScaiLabs B.V.", invoice["seller"]!.Str("legal_name"));

        var pdf = await anna.GetAsync($"/api/v1/invoices/{invoice.Str("id")}/pdf");
        Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("%PDF", System.Text.Encoding.ASCII.GetString((await pdf.Content.ReadAsByteArrayAsync())[..4]));

        var again = await ops.RunBillingAsync(Api.CurrentPeriod);
        Assert.Equal("completed", again.Str("status"));
        Assert.Equal(0, again.Long("invoices_created"));
        Assert.Equal(invoices.Count, (await anna.GetJson("/api/v1/invoices")).Items().Count);
    }

    [Fact]
    public async Task SeededInvoices_ApplyTheFourVatRules()
    {
        static async Task<System.Text.Json.Nodes.JsonNode> FirstInvoice(HttpClient client) => (await client.GetJson("/api/v1/invoices?status=finalised")).Items()[^1];

        var domestic = await FirstInvoice(await app.ClientForAsync(Api.Anna));
        Assert.Equal("domestic", domestic.Str("vat_rule"));
        Assert.All(domestic["lines"]!.AsArray(), l => Assert.Equal("21.00", l!.Str("vat_rate")));

        var reverse = await FirstInvoice(await app.ClientForAsync(Api.Jonas));
        Assert.Equal("intra_eu_reverse_charge", reverse.Str("vat_rule"));
        Assert.Equal(0, reverse.Long("vat_total"));
        Assert.All(reverse["lines"]!.AsArray(), l => Assert.Equal("AE", l!.Str("vat_category")));
        Assert.Contains(reverse["notes"]!.AsArray(), n => n!.GetValue<string>().Contains("Art. 196", StringComparison.Ordinal));
        Assert.Equal("DE811907980", reverse["buyer"]!.Str("vat_id"));

        var b2c = await FirstInvoice(await app.ClientForAsync(Api.Claire));
        Assert.Equal("intra_eu_b2c", b2c.Str("vat_rule"));
        Assert.All(b2c["lines"]!.AsArray(), l => Assert.Equal("20.00", l!.Str("vat_rate")));

        var export = await FirstInvoice(await app.ClientForAsync(Api.Sam));
        Assert.Equal("non_eu", export.Str("vat_rule"));
        Assert.Equal(0, export.Long("vat_total"));
        Assert.All(export["lines"]!.AsArray(), l => Assert.Equal("O", l!.Str("vat_category")));

        var nordic = await FirstInvoice(await app.ClientForAsync(Api.Eva));
        Assert.StartsWith("NORD-", nordic.Str("number"), StringComparison.Ordinal);
        Assert.Equal("Nordic Cloud AB", nordic["seller"]!.Str("legal_name"));
        Assert.Equal("non_eu", nordic.Str("vat_rule"));
    }

    [Fact]
    public async Task OpenApiDocument_ListsTheEndpoints()
    {
        var doc = await (await app.ClientForAsync(Api.Anna)).GetStringAsync("/openapi/v1.json");
        Assert.Contains("/api/v1/invoices/{id}/finalize", doc, StringComparison.Ordinal);
        Assert.Contains("/api/v1/admin/billing-runs", doc, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^SCAI-\d{4}-\d{6}$")]
    private static partial Regex NumberPattern();
}

public sealed class SqliteJourneyTests(SqliteApp app) : JourneyTests<SqliteApp>(app);

public sealed class PostgresJourneyTests(PostgresApp app) : JourneyTests<PostgresApp>(app);

public sealed class MariaDbJourneyTests(MariaDbApp app) : JourneyTests<MariaDbApp>(app);

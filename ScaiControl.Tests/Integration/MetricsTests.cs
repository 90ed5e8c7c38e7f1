using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace ScaiControl.Tests.Integration;

/// <summary>The Prometheus scrape endpoint shows the business metrics as they happen.</summary>
public sealed class MetricsTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task AFinalisation_ShowsInTheFinalisedInvoicesCounter_AtMetrics()
    {
        var scraper = app.CreateClient();
        var before = Sum(await scraper.GetStringAsync("/metrics"), "scai_invoices_finalised_total", "document_type=\"invoice\"");

        var draft = (await app.CreateDraftInvoicesAsync((await app.ActorForAsync(Api.Claire)).TenantId!))[0];
        var ops = await app.ClientForAsync(Api.Ops);
        await ops.PostJson($"/api/v1/invoices/{draft}/finalize", null, HttpStatusCode.OK);

        var scrape = await scraper.GetStringAsync("/metrics");
        Assert.True(Sum(scrape, "scai_invoices_finalised_total", "document_type=\"invoice\"") >= before + 1, scrape);
    }

    /// <summary>The sum of a series' samples whose labels contain <paramref name="label"/>.</summary>
    private static double Sum(string exposition, string name, string label) =>
        Regex.Matches(exposition, $@"^{name}(\{{[^}}]*\}})? ([0-9.eE+-]+)$", RegexOptions.Multiline)
            .Where(m => m.Groups[1].Value.Contains(label, StringComparison.Ordinal))
            .Sum(m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
}

using System.Net;

namespace ScaiControl.Tests.Integration;

/// <summary>The app on a machine without chromium: it starts, finalises invoices, and says plainly why a PDF is not ready.</summary>
public sealed class NoRendererApp : SqliteApp
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [new("Pdf:ChromiumPath", "/nonexistent/chromium")];
}

public sealed class NoPdfRendererTests(NoRendererApp app) : IClassFixture<NoRendererApp>
{
    [Fact]
    public async Task WithoutChromium_InvoicesAreFinalised_AndThePdfSaysWhyItIsNotReady()
    {
        var anna = await app.ClientForAsync(Api.Anna);
        var invoice = (await anna.GetJson("/api/v1/invoices?status=finalised")).Items().First(i => i.Str("document_type") == "invoice");
        Assert.Matches(@"^SCAI-\d{4}-\d{6}$", invoice.Str("number"));

        var detail = await anna.GetJson($"/api/v1/invoices/{invoice.Str("id")}");
        Assert.Equal("pending", detail["pdf"]!.Str("status"));
        Assert.Contains("Chromium was not found", detail["pdf"]!.Str("reason"), StringComparison.Ordinal);

        var response = await anna.GetAsync($"/api/v1/invoices/{invoice.Str("id")}/pdf");
        var problem = await response.Problem(HttpStatusCode.ServiceUnavailable);
        Assert.Contains("/nonexistent/chromium", problem.Str("detail"), StringComparison.Ordinal);
        Assert.Equal("60", response.Headers.RetryAfter?.ToString());

        var health = await app.CreateClient().GetJson("/healthz");
        Assert.Equal("degraded", health.Str("status"));
        Assert.Equal("ok", health.Str("database"));
    }
}

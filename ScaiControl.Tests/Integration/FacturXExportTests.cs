using System.Net;
using System.Xml.Linq;
using ScaiControl.Infrastructure.Invoicing.EInvoicing;
using ScaiControl.Tests.Infrastructure.EInvoicing;

namespace ScaiControl.Tests.Integration;

/// <summary>
/// GET /api/v1/invoices/{id}/einvoice?format=facturx on the demo data (SQLite; the export reads the same frozen
/// snapshots and stored PDF on PostgreSQL, covered by EInvoiceExportTests): the Chromium-rendered invoice with the CII
/// embedded, and 503 with the reason when the PDF or qpdf is missing.
/// </summary>
public sealed class FacturXExportTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task ADemoInvoice_DownloadsAsFacturX_WithTheCiiOfTheSameInvoiceEmbedded()
    {
        var anna = await app.ClientForAsync(Api.Anna);
        var invoice = (await anna.GetJson("/api/v1/invoices?status=finalised")).Items()[^1];
        var id = invoice.Str("id");
        var number = invoice.Str("number");

        var response = await anna.GetAsync($"/api/v1/invoices/{id}/einvoice?format=facturx");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"{number}.pdf", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName);
        var fx = await FacturXInspection.InspectAsync(await response.Content.ReadAsByteArrayAsync());

        var cii = await anna.GetByteArrayAsync($"/api/v1/invoices/{id}/einvoice?format=cii");
        Assert.Contains("1: factur-x.xml", fx.DetachList, StringComparison.Ordinal);
        Assert.Equal(cii, Assert.Single(fx.Attachments));
        Assert.Equal("/Data", fx.Value(Assert.Single(fx.Catalog["/AF"]!.AsArray()))["/AFRelationship"]!.GetValue<string>());
        Assert.Single(fx.Catalog["/OutputIntents"]!.AsArray());
        Assert.Equal("EN 16931", Assert.Single(fx.Xmp.Descendants((XNamespace)FacturXWriter.FxNamespace + "ConformanceLevel")).Value);
        Assert.Contains(number, fx.Text, StringComparison.Ordinal);

        var original = await anna.GetByteArrayAsync($"/api/v1/invoices/{id}/pdf");
        var (_, originalText) = await RunPdfToTextAsync(original);
        Assert.Equal(originalText, fx.Text);
    }

    private static async Task<(int Code, string Output)> RunPdfToTextAsync(byte[] pdf)
    {
        var file = Path.Combine(Path.GetTempPath(), $"scai-fx-{Guid.NewGuid():N}.pdf");
        await File.WriteAllBytesAsync(file, pdf);
        try
        {
            return await FacturXInspection.RunAsync("pdftotext", "-layout", file, "-");
        }
        finally
        {
            File.Delete(file);
        }
    }
}

/// <summary>The app without qpdf: the Factur-X format answers 503 with the reason; the XML formats still work.</summary>
public sealed class NoQpdfApp : SqliteApp
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [new("FacturX:QpdfPath", "/nonexistent/qpdf")];
}

public sealed class FacturXWithoutQpdfTests(NoQpdfApp app) : IClassFixture<NoQpdfApp>
{
    [Fact]
    public async Task WithoutQpdf_FacturXIs503WithTheReason_AndCiiStillWorks()
    {
        var anna = await app.ClientForAsync(Api.Anna);
        var invoice = (await anna.GetJson("/api/v1/invoices?status=finalised")).Items()[^1];

        var problem = await (await anna.GetAsync($"/api/v1/invoices/{invoice.Str("id")}/einvoice?format=facturx")).Problem(HttpStatusCode.ServiceUnavailable);
        Assert.Contains("qpdf was not found at /nonexistent/qpdf", problem.Str("detail"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await anna.GetAsync($"/api/v1/invoices/{invoice.Str("id")}/einvoice?format=cii")).StatusCode);
    }
}

/// <summary>The app without chromium: the invoice PDF is not ready, so Factur-X answers 503 with the renderer's reason.</summary>
public sealed class FacturXWithoutRendererTests(NoRendererApp app) : IClassFixture<NoRendererApp>
{
    [Fact]
    public async Task WithoutThePdf_FacturXIs503WithTheRenderersReason_AndRetryAfter()
    {
        var anna = await app.ClientForAsync(Api.Anna);
        var invoice = (await anna.GetJson("/api/v1/invoices?status=finalised")).Items()[^1];

        var response = await anna.GetAsync($"/api/v1/invoices/{invoice.Str("id")}/einvoice?format=facturx");
        var problem = await response.Problem(HttpStatusCode.ServiceUnavailable);
        Assert.Contains("Chromium was not found", problem.Str("detail"), StringComparison.Ordinal);
        Assert.Equal("PDF not ready yet", problem.Str("title"));
        Assert.Equal("60", response.Headers.RetryAfter?.ToString());
    }
}

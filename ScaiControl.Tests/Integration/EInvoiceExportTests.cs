using System.Net;
using System.Net.Http.Json;
using System.Xml.Linq;

namespace ScaiControl.Tests.Integration;

/// <summary>GET /api/v1/invoices/{id}/einvoice from the demo data: every format, the buyer's preferred one by default, from the frozen snapshots.</summary>
public abstract class EInvoiceExportTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : ScaiAppFactory
{
    [Fact]
    public async Task WithoutAFormat_TheBuyersPreferredXRechnungIsServed_WithTheBuyerReferenceAndReverseCharge()
    {
        var jonas = await app.ClientForAsync(Api.Jonas);
        var invoice = (await jonas.GetJson("/api/v1/invoices?status=finalised")).Items()[^1];
        var response = await jonas.GetAsync($"/api/v1/invoices/{invoice.Str("id")}/einvoice");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var xml = XDocument.Parse(await response.Content.ReadAsStringAsync());
        var text = xml.ToString();
        Assert.Contains("urn:xeinkauf.de:kosit:xrechnung_3.0", text, StringComparison.Ordinal);
        Assert.Contains("04011000-12345-34", text, StringComparison.Ordinal);
        Assert.Contains(invoice.Str("number"), text, StringComparison.Ordinal);
        Assert.Contains(xml.Descendants().Where(e => e.Name.LocalName == "ID" && e.Parent?.Name.LocalName == "ClassifiedTaxCategory"), e => e.Value == "AE");
    }

    [Theory]
    [InlineData("ubl", "Invoice")]
    [InlineData("cii", "CrossIndustryInvoice")]
    [InlineData("xrechnung-cii", "CrossIndustryInvoice")]
    [InlineData("xrechnung-ubl", "Invoice")]
    public async Task EveryFormat_OfADomesticInvoice_IsWellFormedWithItsRoot(string format, string root)
    {
        var anna = await app.ClientForAsync(Api.Anna);
        var invoice = (await anna.GetJson("/api/v1/invoices?status=finalised")).Items()[^1];
        var response = await anna.GetAsync($"/api/v1/invoices/{invoice.Str("id")}/einvoice?format={format}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var xml = XDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(root, xml.Root!.Name.LocalName);
        Assert.Contains(invoice.Str("number"), xml.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnExportInvoice_IdentifiesTheSellerByItsRegistration()
    {
        var sam = await app.ClientForAsync(Api.Sam);
        var invoice = (await sam.GetJson("/api/v1/invoices?status=finalised")).Items()[^1];
        var response = await sam.GetAsync($"/api/v1/invoices/{invoice.Str("id")}/einvoice?format=ubl");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("12345678", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFormatNeedingABuyerReference_IsRefusedFor422_WhenTheBuyerHasNone()
    {
        var eva = await app.ClientForAsync(Api.Eva);
        var invoice = (await eva.GetJson("/api/v1/invoices?status=finalised")).Items()[^1];
        var problem = await (await eva.GetAsync($"/api/v1/invoices/{invoice.Str("id")}/einvoice?format=xrechnung-ubl")).Problem(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("BT-10", problem.Str("detail"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await eva.GetAsync($"/api/v1/invoices/{invoice.Str("id")}/einvoice?format=cii")).StatusCode);
    }

    [Fact]
    public async Task TheNorwegianTenantWithoutBuyerReference_GetsPeppolUbl_QuotingItsCustomerNumber_AddressedByOrganisationNumber()
    {
        var eva = await app.ClientForAsync(Api.Eva);
        var tenantId = (await app.ActorForAsync(Api.Eva)).TenantId!;
        var invoice = (await eva.GetJson("/api/v1/invoices?status=finalised")).Items()[^1];
        var response = await eva.GetAsync($"/api/v1/invoices/{invoice.Str("id")}/einvoice?format=ubl");
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        XNamespace cbc = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";
        var xml = XDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(tenantId, xml.Root!.Element(cbc + "BuyerReference")?.Value);
        var endpoints = xml.Descendants(cbc + "EndpointID").Select(e => ((string?)e.Attribute("schemeID"), e.Value)).ToArray();
        Assert.Equal([("0007", "5566778899"), ("0192", "987654325")], endpoints);
    }

    [Theory]
    [InlineData(Api.Jonas, "invoice")]
    [InlineData(Api.Claire, "invoice")]
    [InlineData(Api.Sam, "invoice")]
    [InlineData(Api.Anna, "credit_note")]
    public async Task ReverseChargeB2COssExportAndCreditNote_FromTheDemoData_DownloadInEveryFormat(string user, string documentType)
    {
        var client = await app.ClientForAsync(user);
        var document = (await client.GetJson("/api/v1/invoices?status=finalised")).Items().Last(i => i.Str("document_type") == documentType);
        var id = document.Str("id");
        // Peppol does not deliver to consumers: Claire (no VAT id, no registration) gets every format but Peppol UBL.
        var formats = user == Api.Claire ? new[] { "cii", "xrechnung-ubl", "xrechnung-cii", "facturx" } : new[] { "ubl", "cii", "xrechnung-ubl", "xrechnung-cii", "facturx" };
        var urls = new[] { $"/api/v1/invoices/{id}/pdf" }.Concat(formats.Select(f => $"/api/v1/invoices/{id}/einvoice?format={f}"));
        foreach (var url in urls)
        {
            var response = await client.GetAsync(url);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{user} {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.NotEmpty(await response.Content.ReadAsByteArrayAsync());
        }

        if (user == Api.Claire)
        {
            var problem = await (await client.GetAsync($"/api/v1/invoices/{id}/einvoice?format=ubl")).Problem(HttpStatusCode.UnprocessableEntity);
            Assert.Contains("BT-49", problem.Str("detail"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ACreditNote_IsExportedAsACreditNoteReferencingItsInvoice()
    {
        var ops = await app.ClientForAsync(Api.Ops);
        var anna = await app.ClientForAsync(Api.Anna);
        var invoice = (await anna.GetJson("/api/v1/invoices?status=finalised")).Items()[^1];
        var note = await ops.PostJson($"/api/v1/invoices/{invoice.Str("id")}/credit-notes", new { reason = "Goodwill" }, HttpStatusCode.Created);
        var final = await ops.PostJson($"/api/v1/invoices/{note.Str("id")}/finalize", null, HttpStatusCode.OK);
        var response = await anna.GetAsync($"/api/v1/invoices/{final.Str("id")}/einvoice?format=ubl");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var xml = XDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("CreditNote", xml.Root!.Name.LocalName);
        Assert.Contains(xml.Descendants().Where(e => e.Name.LocalName == "ID" && e.Parent?.Name.LocalName == "InvoiceDocumentReference"), e => e.Value == invoice.Str("number"));
    }

    [Fact]
    public async Task TheDemoCreditNote_DownloadsAsPdfAndInEveryFormat()
    {
        var anna = await app.ClientForAsync(Api.Anna);
        var note = (await anna.GetJson("/api/v1/invoices?status=finalised")).Items()
            .Single(i => i.Str("document_type") == "credit_note" && i["credit_reason"]?.GetValue<string>() == "Goodwill credit for a service outage");
        Assert.Matches(@"^SCAI-CN-\d{4}-\d{6}$", note.Str("number"));
        Assert.Equal(500, note.Long("net_total"));
        var pdf = await anna.GetAsync($"/api/v1/invoices/{note.Str("id")}/pdf");
        Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
        foreach (var format in new[] { "ubl", "cii", "xrechnung-ubl", "xrechnung-cii", "facturx" })
        {
            var response = await anna.GetAsync($"/api/v1/invoices/{note.Str("id")}/einvoice?format={format}");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{format}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        var ubl = XDocument.Parse(await anna.GetStringAsync($"/api/v1/invoices/{note.Str("id")}/einvoice?format=ubl"));
        Assert.Equal("CreditNote", ubl.Root!.Name.LocalName);
    }

    [Fact]
    public async Task BadRequests_AreRefused()
    {
        var anna = await app.ClientForAsync(Api.Anna);
        var invoice = (await anna.GetJson("/api/v1/invoices?status=finalised")).Items()[^1];
        Assert.NotNull((await (await anna.GetAsync($"/api/v1/invoices/{invoice.Str("id")}/einvoice?format=pdf")).Problem(HttpStatusCode.UnprocessableEntity))["errors"]!["format"]);
        var jonasInvoice = (await (await app.ClientForAsync(Api.Jonas)).GetJson("/api/v1/invoices")).Items()[0];
        await (await anna.GetAsync($"/api/v1/invoices/{jonasInvoice.Str("id")}/einvoice")).Problem(HttpStatusCode.NotFound);
        var draft = (await app.CreateDraftInvoicesAsync((await app.ActorForAsync(Api.Anna)).TenantId!))[0];
        await (await anna.GetAsync($"/api/v1/invoices/{draft}/einvoice")).Problem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task TheBillingProfile_TakesABuyerReferenceAndAPreferredFormat()
    {
        var claire = await app.ClientForAsync(Api.Claire);
        var tenant = (await app.ActorForAsync(Api.Claire)).TenantId;
        var body = new Dictionary<string, string?>
        {
            ["legal_name"] = "Claire Martin", ["address_line1"] = "12 rue de la République", ["postal_code"] = "69002", ["city"] = "Lyon", ["country"] = "FR",
            ["email"] = "claire@martin-fr.example", ["buyer_reference"] = "CM-42", ["preferred_einvoice_format"] = "cii",
        };
        var saved = await (await claire.PutAsJsonAsync($"/api/v1/tenants/{tenant}/billing-profile", body)).Json(HttpStatusCode.OK);
        Assert.Equal("CM-42", saved.Str("buyer_reference"));
        Assert.Equal("cii", saved.Str("preferred_einvoice_format"));
        body["preferred_einvoice_format"] = "docx";
        var problem = await (await claire.PutAsJsonAsync($"/api/v1/tenants/{tenant}/billing-profile", body)).Problem(HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(problem["errors"]!["preferred_einvoice_format"]);
    }
}

public sealed class SqliteEInvoiceExportTests(SqliteApp app) : EInvoiceExportTests<SqliteApp>(app);

public sealed class PostgresEInvoiceExportTests(PostgresApp app) : EInvoiceExportTests<PostgresApp>(app);

public sealed class MariaDbEInvoiceExportTests(MariaDbApp app) : EInvoiceExportTests<MariaDbApp>(app);

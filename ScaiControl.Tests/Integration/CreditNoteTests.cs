using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Tests.Integration;

/// <summary>Credit notes: own gap-free series, full and partial credit, never more than is left, same VAT as the credited lines.</summary>
public abstract class CreditNoteTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : ScaiAppFactory
{
    [Fact]
    public async Task PartialThenFullCredit_CreditsExactlyTheInvoice_InTheCreditNoteSeries_WithTheInvoicesVat()
    {
        var ops = await app.ClientForAsync(Api.Ops);
        var invoice = await NewInvoiceAsync(Api.Jonas, 2);
        var firstLine = invoice["lines"]!.AsArray()[0]!;

        var partial = await ops.PostJson($"/api/v1/invoices/{invoice.Str("id")}/credit-notes",
            new { reason = "Service outage on 3 days", lines = new[] { new { invoice_line_id = firstLine.Str("id"), amount = 1000 } } }, HttpStatusCode.Created);
        Assert.Equal("credit_note", partial.Str("document_type"));
        Assert.Equal("draft", partial.Str("status"));
        Assert.Equal(invoice.Str("number"), partial.Str("referenced_invoice_number"));
        var partialFinal = await ops.PostJson($"/api/v1/invoices/{partial.Str("id")}/finalize", null, HttpStatusCode.OK);
        Assert.Matches(@"^SCAI-CN-\d{4}-\d{6}$", partialFinal.Str("number"));
        Assert.Equal(1000, partialFinal.Long("net_total"));
        Assert.Equal("AE", partialFinal["lines"]!.AsArray()[0]!.Str("vat_category"));
        Assert.Contains(partialFinal["notes"]!.AsArray(), n => n!.GetValue<string>().Contains("Art. 196", StringComparison.Ordinal));
        Assert.Contains(partialFinal["notes"]!.AsArray(), n => n!.GetValue<string>().Contains(invoice.Str("number"), StringComparison.Ordinal));

        var full = await ops.PostJson($"/api/v1/invoices/{invoice.Str("id")}/credit-notes", new { reason = "Contract ended" }, HttpStatusCode.Created);
        var fullFinal = await ops.PostJson($"/api/v1/invoices/{full.Str("id")}/finalize", null, HttpStatusCode.OK);
        Assert.Equal(invoice.Long("net_total") - 1000, fullFinal.Long("net_total"));
        Assert.Equal(Sequence(partialFinal.Str("number")) + 1, Sequence(fullFinal.Str("number")));

        var nothingLeft = await (await ops.PostAsJsonAsync($"/api/v1/invoices/{invoice.Str("id")}/credit-notes", new { reason = "again" })).Problem(HttpStatusCode.Conflict);
        Assert.Contains("nothing left", nothingLeft.Str("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OverCredit_IsRefusedAtCreation_AndAtFinalisationWithoutConsumingANumber()
    {
        var ops = await app.ClientForAsync(Api.Ops);
        var invoice = await NewInvoiceAsync(Api.Anna, 1);
        var line = invoice["lines"]!.AsArray()[0]!;
        var tooMuch = await (await ops.PostAsJsonAsync($"/api/v1/invoices/{invoice.Str("id")}/credit-notes",
            new { reason = "x", lines = new[] { new { invoice_line_id = line.Str("id"), amount = line.Long("net_amount") + 1 } } })).Problem(HttpStatusCode.Conflict);
        Assert.Contains("left to credit", tooMuch.Str("detail"), StringComparison.Ordinal);

        var first = await ops.PostJson($"/api/v1/invoices/{invoice.Str("id")}/credit-notes", new { reason = "Void" }, HttpStatusCode.Created);
        var second = await ops.PostJson($"/api/v1/invoices/{invoice.Str("id")}/credit-notes", new { reason = "Void twice" }, HttpStatusCode.Created);
        var firstFinal = await ops.PostJson($"/api/v1/invoices/{first.Str("id")}/finalize", null, HttpStatusCode.OK);
        await (await ops.PostAsync($"/api/v1/invoices/{second.Str("id")}/finalize", null)).Problem(HttpStatusCode.Conflict);
        Assert.Equal("draft", (await ops.GetJson($"/api/v1/invoices/{second.Str("id")}")).Str("status"));

        var another = await ops.PostJson($"/api/v1/invoices/{(await NewInvoiceAsync(Api.Anna, 1)).Str("id")}/credit-notes", new { reason = "Void" }, HttpStatusCode.Created);
        var anotherFinal = await ops.PostJson($"/api/v1/invoices/{another.Str("id")}/finalize", null, HttpStatusCode.OK);
        Assert.Equal(Sequence(firstFinal.Str("number")) + 1, Sequence(anotherFinal.Str("number")));
    }

    [Fact]
    public async Task BadCreditRequests_AreRefusedAndWriteNothing()
    {
        var ops = await app.ClientForAsync(Api.Ops);
        var invoice = await NewInvoiceAsync(Api.Claire, 1);
        var id = invoice.Str("id");
        Assert.NotNull((await (await ops.PostAsJsonAsync($"/api/v1/invoices/{id}/credit-notes", new { lines = Array.Empty<object>() })).Problem(HttpStatusCode.UnprocessableEntity))["errors"]!["reason"]);
        Assert.NotNull((await (await ops.PostAsJsonAsync($"/api/v1/invoices/{id}/credit-notes",
            new { reason = "x", lines = new[] { new { invoice_line_id = "iln_NOPE", quantity = 1 } } })).Problem(HttpStatusCode.UnprocessableEntity))["errors"]!["lines[0].invoice_line_id"]);
        var line = invoice["lines"]!.AsArray()[0]!.Str("id");
        Assert.NotNull((await (await ops.PostAsJsonAsync($"/api/v1/invoices/{id}/credit-notes",
            new { reason = "x", lines = new[] { new { invoice_line_id = line, quantity = 5 } } })).Problem(HttpStatusCode.UnprocessableEntity))["errors"]!["lines[0].quantity"]);

        // Another tenant's invoice is invisible to a tenant; a credit note cannot be credited; a draft cannot be credited.
        var claire = await app.ClientForAsync(Api.Claire);
        var annaInvoice = (await (await app.ClientForAsync(Api.Anna)).GetJson("/api/v1/invoices")).Items()[0];
        Assert.Equal(HttpStatusCode.Forbidden, (await claire.PostAsJsonAsync($"/api/v1/invoices/{annaInvoice.Str("id")}/credit-notes", new { reason = "x" })).StatusCode);
        var lars = await app.ClientForAsync(Api.Lars);
        await (await lars.PostAsJsonAsync($"/api/v1/invoices/{annaInvoice.Str("id")}/credit-notes", new { reason = "x" })).Problem(HttpStatusCode.NotFound);
        var note = await ops.PostJson($"/api/v1/invoices/{id}/credit-notes", new { reason = "Void" }, HttpStatusCode.Created);
        await (await ops.PostAsJsonAsync($"/api/v1/invoices/{note.Str("id")}/credit-notes", new { reason = "x" })).Problem(HttpStatusCode.Conflict);

        var all = (await ops.GetJson("/api/v1/invoices?limit=200")).Items();
        Assert.Single(all, i => i["referenced_invoice_id"]?.GetValue<string>() == id);
    }

    [Fact]
    public async Task AFinalisedInvoice_KeepsItsRenderedHtml_AfterTheBuyerProfileChanges()
    {
        var invoice = await NewInvoiceAsync(Api.Sam, 1);
        var service = app.Services.GetRequiredService<InvoiceService>();
        var before = (await service.GetAsync(Actor.System("test"), invoice.Str("id"))).TemplateHtmlSnapshot;
        Assert.NotNull(before);
        Assert.Contains(invoice.Str("number"), before, StringComparison.Ordinal);
        Assert.Contains("Redwood Analytics Inc.", before, StringComparison.Ordinal);

        var sam = await app.ClientForAsync(Api.Sam);
        var tenant = (await app.ActorForAsync(Api.Sam)).TenantId;
        await sam.PutAsJsonAsync($"/api/v1/tenants/{tenant}/billing-profile", new
        {
            legal_name = "Redwood Analytics Holdings LLC", address_line1 = "1 New Street", postal_code = "10001", city = "New York", country = "US", email = "sam@redwood-us.example",
        });

        var after = await service.GetAsync(Actor.System("test"), invoice.Str("id"));
        Assert.Equal(before, after.TemplateHtmlSnapshot);
        Assert.Equal("Redwood Analytics Inc.", after.Buyer!.LegalName);
    }

    /// <summary>A fresh finalised invoice of the tenant of <paramref name="email"/> with <paramref name="lines"/> lines.</summary>
    private async Task<JsonNode> NewInvoiceAsync(string email, int lines)
    {
        var id = (await app.CreateDraftInvoicesAsync((await app.ActorForAsync(email)).TenantId!, 1, lines))[0];
        return await (await app.ClientForAsync(Api.Ops)).PostJson($"/api/v1/invoices/{id}/finalize", null, HttpStatusCode.OK);
    }

    private static long Sequence(string number) => long.Parse(number[^6..], System.Globalization.CultureInfo.InvariantCulture);
}

public sealed class SqliteCreditNoteTests(SqliteApp app) : CreditNoteTests<SqliteApp>(app);

public sealed class PostgresCreditNoteTests(PostgresApp app) : CreditNoteTests<PostgresApp>(app);

public sealed class MariaDbCreditNoteTests(MariaDbApp app) : CreditNoteTests<MariaDbApp>(app);

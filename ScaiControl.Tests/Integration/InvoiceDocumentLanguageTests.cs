using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Infrastructure.Persistence;

namespace ScaiControl.Tests.Integration;

/// <summary>
/// Issue 16: the billing profile holds the document language (default from the buyer's country) and finalisation uses
/// it, so the German demo tenant's invoices are German (the seeded German platform template) and the Dutch one's are
/// not; the profile refuses control characters in every text and a malformed language on its field.
/// </summary>
public abstract class InvoiceDocumentLanguageTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : ScaiAppFactory
{
    [Fact]
    public async Task TheGermanTenant_GetsGermanDocuments_TheDutchTenantEnglishOnes()
    {
        var jonas = await app.ClientForAsync(Api.Jonas);
        var profile = await jonas.GetJson($"/api/v1/tenants/{(await app.ActorForAsync(Api.Jonas)).TenantId}/billing-profile");
        Assert.Null(profile["document_language"]?.GetValue<string>());
        Assert.Equal("de", profile.Str("effective_document_language"));

        var german = await HtmlOfLastInvoiceAsync(Api.Jonas);
        Assert.Contains("<html lang=\"de\">", german, StringComparison.Ordinal);
        Assert.Contains("Rechnungsnummer", german, StringComparison.Ordinal);
        Assert.Contains("Bitte überweisen Sie", german, StringComparison.Ordinal);
        Assert.DoesNotContain("Please pay", german, StringComparison.Ordinal);

        var dutch = await HtmlOfLastInvoiceAsync(Api.Anna);
        Assert.Contains("Please pay", dutch, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheProfile_TakesADocumentLanguageAndRegistration_AndRefusesBadOnesOnTheirField()
    {
        var claire = await app.ClientForAsync(Api.Claire);
        var tenant = (await app.ActorForAsync(Api.Claire)).TenantId!;
        var current = await claire.GetJson($"/api/v1/tenants/{tenant}/billing-profile");
        Assert.Equal("fr", current.Str("effective_document_language"));
        var body = new JsonObject
        {
            ["legal_name"] = current.Str("legal_name"), ["address_line1"] = current.Str("address_line1"), ["postal_code"] = current.Str("postal_code"),
            ["city"] = current.Str("city"), ["country"] = current.Str("country"), ["email"] = current.Str("email"), ["document_language"] = "de_at",
        };
        var saved = await (await claire.PutAsJsonAsync($"/api/v1/tenants/{tenant}/billing-profile", body)).Json(HttpStatusCode.OK);
        Assert.Equal("de-AT", saved.Str("document_language"));

        body["document_language"] = "not a language";
        Assert.NotNull((await (await claire.PutAsJsonAsync($"/api/v1/tenants/{tenant}/billing-profile", body)).Problem(HttpStatusCode.UnprocessableEntity))["errors"]!["document_language"]);
        body["document_language"] = null;
        body["registration_id"] = "123\u001B456";
        Assert.NotNull((await (await claire.PutAsJsonAsync($"/api/v1/tenants/{tenant}/billing-profile", body)).Problem(HttpStatusCode.UnprocessableEntity))["errors"]!["registration_id"]);
        body["registration_id"] = null;
        foreach (var field in new[] { "legal_name", "address_line1", "city", "buyer_reference" })
        {
            var bad = body.DeepClone().AsObject();
            bad[field] = "Martin\u0007\u0000";
            Assert.NotNull((await (await claire.PutAsJsonAsync($"/api/v1/tenants/{tenant}/billing-profile", bad)).Problem(HttpStatusCode.UnprocessableEntity))["errors"]![field]);
        }

        Assert.Equal("de-AT", (await claire.GetJson($"/api/v1/tenants/{tenant}/billing-profile")).Str("document_language"));
    }

    private async Task<string> HtmlOfLastInvoiceAsync(string user)
    {
        var tenantId = (await app.ActorForAsync(user)).TenantId!;
        await using var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        var invoices = await db.Invoices.AsNoTracking().Where(i => i.TenantId == tenantId && i.Number != null && i.DocumentType == ScaiControl.Domain.Invoicing.DocumentType.Invoice).ToListAsync();
        return invoices.OrderBy(i => i.FinalisedAt).Last().TemplateHtmlSnapshot!;
    }
}

public sealed class SqliteInvoiceDocumentLanguageTests(SqliteApp app) : InvoiceDocumentLanguageTests<SqliteApp>(app);

public sealed class PostgresInvoiceDocumentLanguageTests(PostgresApp app) : InvoiceDocumentLanguageTests<PostgresApp>(app);

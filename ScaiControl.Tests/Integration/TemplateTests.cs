using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Templates;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Templates;
using ScaiControl.Infrastructure.Tenancy;
using ScaiControl.Web.Cli;

namespace ScaiControl.Tests.Integration;

/// <summary>
/// Invoice templates through the API and finalisation: the seeded override and German default, publishing refuses a
/// broken template (422 with the line, nothing written), a published override is in force for the next finalised
/// invoice while finalised ones keep their snapshot, resolution against the database, preview, `admin templates validate`.
/// </summary>
public abstract class TemplateTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : ScaiAppFactory
{
    private const string BrokenAtLine3 = "<table>\n<tbody>\n{{#each lines}}<tr><td>{{description}}</td></tr>\n</tbody>\n</table>";

    [Fact]
    public async Task Seed_PublishesNordicsOverrideAndAGermanDefault_AndNordicsInvoicesCarryItsBranding()
    {
        var ops = await app.ClientForAsync(Api.Ops);
        var nordic = await PartnerIdAsync("Nordic Cloud AB");

        var published = (await ops.GetJson("/api/v1/admin/templates?status=published&limit=200")).Items();
        var over = Assert.Single(published, t => t["partner_id"]?.GetValue<string>() == nordic && t.Str("language") == "en");
        Assert.True(over["in_force"]!.GetValue<bool>());
        Assert.Equal("invoice", over.Str("document_type"));
        Assert.Null(over["body"]);
        var german = Assert.Single(published, t => t["partner_id"] is null && t.Str("language") == "de" && t.Str("created_by") == "system:seed-demo");
        Assert.Contains("Rechnung", (await ops.GetJson($"/api/v1/admin/templates/{german.Str("id")}")).Str("body"), StringComparison.Ordinal);

        await using var db = await Factory.ForSystemAsync("test");
        var seeded = await db.Invoices.AsNoTracking().Where(i => i.BillingRunId != null && i.Status == InvoiceStatus.Finalised).ToListAsync();
        Assert.Contains(seeded, i => i.PartnerId == nordic);
        Assert.All(seeded, i => Assert.Equal(i.PartnerId == nordic, i.TemplateHtmlSnapshot!.Contains("data-brand=\"nordic-cloud\"", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Publish_OfATemplateThatDoesNotCompile_Is422WithTheHandlebarsErrorAndLine_AndWritesNothing()
    {
        var ops = await app.ClientForAsync(Api.Ops);
        var draft = await ops.PostJson("/api/v1/admin/templates", new { document_type = "invoice", language = "fr", body = BrokenAtLine3 }, HttpStatusCode.Created);
        Assert.Equal("draft", draft.Str("status"));
        Assert.Contains("<!--HB:{{#each lines}}-->", draft.Str("body"), StringComparison.Ordinal);
        var id = draft.Str("id");
        var auditBefore = await AuditRowsAsync(id);

        var problem = await (await ops.PostAsync($"/api/v1/admin/templates/{id}/publish", null)).Problem(HttpStatusCode.UnprocessableEntity);

        var message = problem["errors"]!["body"]![0]!.GetValue<string>();
        Assert.StartsWith("line 3: ", message, StringComparison.Ordinal);
        Assert.Contains("'#each' was closed", message, StringComparison.Ordinal);
        Assert.Equal(3, problem["line"]!.GetValue<int>());
        var after = await ops.GetJson($"/api/v1/admin/templates/{id}");
        Assert.Equal("draft", after.Str("status"));
        Assert.Null(after["published_at"]);
        Assert.False(after["in_force"]!.GetValue<bool>());
        Assert.Equal(auditBefore, await AuditRowsAsync(id));
        Assert.Empty((await ops.GetJson("/api/v1/admin/templates?name=invoice&status=published&language=fr")).Items());
    }

    [Fact]
    public async Task Publish_OfAGoodOverride_PutsItInForceForTheNextInvoice_AndFinalisedInvoicesKeepTheirSnapshot()
    {
        var ops = await app.ClientForAsync(Api.Ops);
        var scailabs = await PartnerIdAsync("ScaiLabs B.V.");
        var before = await FinaliseNewInvoiceAsync(Api.Anna);
        var beforeHtml = await SnapshotAsync(before);
        Assert.DoesNotContain("data-marker", beforeHtml, StringComparison.Ordinal);

        var v1 = await SaveAndPublishAsync(ops, scailabs, "en", "<h1 data-marker=\"scailabs-v1\">{{title}} {{number}}</h1>{{#each lines}}<p>{{description}}</p>{{/each}}");
        Assert.True(v1["in_force"]!.GetValue<bool>());
        Assert.NotNull(v1["published_at"]);
        var first = await FinaliseNewInvoiceAsync(Api.Anna);
        Assert.Contains("data-marker=\"scailabs-v1\"", await SnapshotAsync(first), StringComparison.Ordinal);
        var otherPartner = await FinaliseNewInvoiceAsync(Api.Eva);
        Assert.DoesNotContain("scailabs-v1", await SnapshotAsync(otherPartner), StringComparison.Ordinal);

        var v2 = await SaveAndPublishAsync(ops, scailabs, "en", "<h1 data-marker=\"scailabs-v2\">{{title}} {{number}}</h1>");
        Assert.Equal(v1.Long("version") + 1, v2.Long("version"));
        Assert.False((await ops.GetJson($"/api/v1/admin/templates/{v1.Str("id")}"))["in_force"]!.GetValue<bool>());
        var second = await FinaliseNewInvoiceAsync(Api.Anna);
        Assert.Contains("scailabs-v2", await SnapshotAsync(second), StringComparison.Ordinal);

        // Reprints are byte-stable: neither template change touched the documents finalised before it.
        Assert.Equal(beforeHtml, await SnapshotAsync(before));
        Assert.Contains("scailabs-v1", await SnapshotAsync(first), StringComparison.Ordinal);

        // Publishing the older draft would silently lose to v2: refused.
        var stale = await ops.PostJson("/api/v1/admin/templates", new { partner_id = scailabs, document_type = "invoice", language = "en", body = "<p>{{number}}</p>" }, HttpStatusCode.Created);
        await SaveAndPublishAsync(ops, scailabs, "en", "<h1 data-marker=\"scailabs-v4\">{{number}}</h1>");
        await (await ops.PostAsync($"/api/v1/admin/templates/{stale.Str("id")}/publish", null)).Problem(HttpStatusCode.Conflict);
        await (await ops.PostAsync($"/api/v1/admin/templates/{v1.Str("id")}/publish", null)).Problem(HttpStatusCode.Conflict);

        // Leave the operator's invoices on the built-in template for the other tests of this class.
        await using var db = await Factory.ForSystemAsync("test");
        await db.InvoiceTemplates.Where(t => t.PartnerId == scailabs).ExecuteDeleteAsync();
    }

    [Theory]
    [MemberData(nameof(TemplateResolutionCases.Database), MemberType = typeof(TemplateResolutionCases))]
    public async Task Resolve_InTheDatabase_FollowsTheDocumentedOrder(string? language, string stored, string? expected)
    {
        // A fresh partner and name-space per case: only its own rows and the (name-filtered) platform rows take part.
        var name = $"t{Guid.NewGuid():N}"[..20];
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        string partnerId;
        await using (var db = await Factory.ForSystemAsync("test"))
        {
            var partner = new Partner($"Resolution {name}", isOperator: false, DateTimeOffset.UtcNow);
            db.Partners.Add(partner);
            partnerId = partner.Id;
            foreach (var label in stored.Split(' '))
            {
                var p = label.Split(':');
                var template = new InvoiceTemplate(name, DocumentType.CreditNote, p[1], p[0] == "P" ? partner.Id : null, int.Parse(p[2], System.Globalization.CultureInfo.InvariantCulture),
                    $"<p>{label}</p>", "test", DateTimeOffset.UtcNow);
                template.Publish(null, DateTimeOffset.UtcNow);
                db.InvoiceTemplates.Add(template);
                ids[template.Id] = label;
            }

            // A draft in the best position never takes part.
            db.InvoiceTemplates.Add(new InvoiceTemplate(name, DocumentType.CreditNote, language ?? "en", partner.Id, 99, "<p>draft</p>", "test", DateTimeOffset.UtcNow));
            await db.SaveChangesAsync();
        }

        await using var read = Factory.ForPlatform("test");
        var resolved = await app.Services.GetRequiredService<InvoiceTemplateResolver>().ResolveAsync(read, name, partnerId, DocumentType.CreditNote, language, default);
        Assert.Equal(expected, resolved is null ? null : ids[resolved.Template.Id]);
        if (resolved is not null)
        {
            Assert.Equal($"<p>{expected}</p>", resolved.Compiled(new object()));
        }
    }

    [Fact]
    public async Task Resolver_ReadsTheDatabase_AndFinalisationUsesTheLanguageItIsGiven()
    {
        var nordic = await PartnerIdAsync("Nordic Cloud AB");
        var scailabs = await PartnerIdAsync("ScaiLabs B.V.");
        var resolver = app.Services.GetRequiredService<InvoiceTemplateResolver>();
        await using var db = Factory.ForPlatform("test");

        Assert.Equal(nordic, (await resolver.ResolveAsync(db, nordic, DocumentType.Invoice, "de-AT", default))!.Template.PartnerId);
        var german = (await resolver.ResolveAsync(db, scailabs, DocumentType.Invoice, "de-AT", default))!;
        Assert.Equal(("de", (string?)null), (german.Template.Language, german.Template.PartnerId));
        Assert.Null(await resolver.ResolveAsync(db, scailabs, DocumentType.Invoice, "en", default));
        Assert.Null(await resolver.ResolveAsync(db, nordic, DocumentType.CreditNote, "de", default));

        var draftId = await NewDraftInvoiceAsync(Api.Jonas);
        await using var system = await Factory.ForSystemAsync("test");
        var finalised = await app.Services.GetRequiredService<InvoiceService>().FinaliseAsync(system, draftId, default, language: "de-AT");
        Assert.Contains("<html lang=\"de\">", finalised.TemplateHtmlSnapshot, StringComparison.Ordinal);
        Assert.Contains("Zahlbetrag", finalised.TemplateHtmlSnapshot, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Finalise_WhenTheTemplateInForceDoesNotCompile_IsRefusedAndTheInvoiceStaysADraft()
    {
        var nordic = await PartnerIdAsync("Nordic Cloud AB");
        string brokenId;
        await using (var db = await Factory.ForSystemAsync("test"))
        {
            // Only a row stored without publish's check can be like this.
            var broken = new InvoiceTemplate(InvoiceTemplate.InvoiceName, DocumentType.Invoice, "sv", nordic, 1, "<p>{{#each lines}}</p>", "test", DateTimeOffset.UtcNow);
            broken.Publish(null, DateTimeOffset.UtcNow);
            db.InvoiceTemplates.Add(broken);
            await db.SaveChangesAsync();
            brokenId = broken.Id;
        }

        try
        {
            var draftId = await NewDraftInvoiceAsync(Api.Eva);
            await using var system = await Factory.ForSystemAsync("test");
            var refused = await Assert.ThrowsAsync<ScaiControl.Domain.Common.DomainConflictException>(
                () => app.Services.GetRequiredService<InvoiceService>().FinaliseAsync(system, draftId, default, language: "sv-SE"));
            Assert.Contains("does not compile", refused.Message, StringComparison.Ordinal);
            await using var read = await Factory.ForSystemAsync("test");
            var invoice = await read.Invoices.AsNoTracking().SingleAsync(i => i.Id == draftId);
            Assert.Equal((InvoiceStatus.Draft, (string?)null), (invoice.Status, invoice.Number));
        }
        finally
        {
            await using var cleanup = await Factory.ForSystemAsync("test");
            await cleanup.InvoiceTemplates.Where(t => t.Id == brokenId).ExecuteDeleteAsync();
        }
    }

    [Fact]
    public async Task Preview_RendersTheSampleDocumentThroughTheProductionRenderer()
    {
        var ops = await app.ClientForAsync(Api.Ops);

        var response = await ops.PostAsJsonAsync("/api/v1/admin/templates/preview", new { body = TemplateEncoding.Encode(InvoiceHtmlRenderer.BuiltInSource), document_type = "credit_note" });
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(InvoiceHtmlRenderer.Render(TemplateSampleData.For(DocumentType.CreditNote), TemplateCompiler.Compile(InvoiceHtmlRenderer.BuiltInSource)), html);
        Assert.Contains("Credit note SCAI-CN-2026-000007", html, StringComparison.Ordinal);

        var problem = await (await ops.PostAsJsonAsync("/api/v1/admin/templates/preview", new { body = "<p>\n{{#if x}}\n</p>", document_type = "invoice" })).Problem(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(2, problem["line"]!.GetValue<int>());
    }

    [Fact]
    public async Task BadRequests_AreRefusedAsProblems()
    {
        var ops = await app.ClientForAsync(Api.Ops);
        async Task<JsonNode> Refused(object body) => await (await ops.PostAsJsonAsync("/api/v1/admin/templates", body)).Problem(HttpStatusCode.UnprocessableEntity);

        Assert.NotNull((await Refused(new { language = "en", body = "<p></p>" }))["errors"]!["document_type"]);
        Assert.NotNull((await Refused(new { document_type = "invoice", language = "german", body = "<p></p>" }))["errors"]!["language"]);
        Assert.NotNull((await Refused(new { document_type = "invoice", language = "en", body = "  " }))["errors"]!["body"]);
        Assert.NotNull((await Refused(new { document_type = "invoice", language = "en", partner_id = "ptr_NOPE", body = "<p></p>" }))["errors"]!["partner_id"]);
        Assert.NotNull((await Refused(new { name = "Not A Slug", document_type = "invoice", body = "<p></p>" }))["errors"]!["name"]);
        await (await ops.PostAsync("/api/v1/admin/templates/tpl_NOPE/publish", null)).Problem(HttpStatusCode.NotFound);
        await (await ops.GetAsync("/api/v1/admin/templates?document_type=letter")).Problem(HttpStatusCode.UnprocessableEntity);

        foreach (var user in new[] { Api.Lars, Api.Anna })
        {
            var client = await app.ClientForAsync(user);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/v1/admin/templates")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsJsonAsync("/api/v1/admin/templates/preview", new { body = "<p></p>" })).StatusCode);
        }
    }

    [Fact]
    public async Task ValidateCommand_ReportsAStoredBrokenDraftInOneLine_AndNotTheSeededTemplates()
    {
        string brokenId;
        await using (var db = await Factory.ForSystemAsync("test"))
        {
            // Publish refuses it, so it goes in directly as a draft: validate checks drafts too.
            var broken = new InvoiceTemplate("validate-me", DocumentType.CreditNote, "sv", null, 1, "<p>\n{{#each lines}}\n{{/if}}</p>", "test", DateTimeOffset.UtcNow);
            db.InvoiceTemplates.Add(broken);
            await db.SaveChangesAsync();
            brokenId = broken.Id;
        }

        var (code, output, error) = await RunCliAsync("templates", "validate");

        Assert.Equal(1, code);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, l => Assert.StartsWith("error: template tpl_", l, StringComparison.Ordinal));
        var line = Assert.Single(lines, l => l.Contains(brokenId, StringComparison.Ordinal));
        Assert.Contains("validate-me / credit_note / sv / platform v1, draft): line 3: ", line, StringComparison.Ordinal);
        Assert.Contains("does not close '{{#each lines}}' opened on line 2", line, StringComparison.Ordinal);
        Assert.Matches(@"\d+ template version\(s\) checked: \d+ failed\.", output);
        await using var read = Factory.ForPlatform("test");
        foreach (var seeded in await read.InvoiceTemplates.Where(t => t.CreatedBy == "system:seed-demo").Select(t => t.Id).ToListAsync())
        {
            Assert.DoesNotContain(seeded, error, StringComparison.Ordinal);
        }

        await using var cleanup = await Factory.ForSystemAsync("test");
        await cleanup.InvoiceTemplates.Where(t => t.Id == brokenId).ExecuteDeleteAsync();
    }

    private ScaiDbFactory Factory => app.Services.GetRequiredService<ScaiDbFactory>();

    private async Task<(int Code, string Output, string Error)> RunCliAsync(params string[] args)
    {
        var provider = app.Services.GetRequiredService<DatabaseOptions>().Provider switch
        {
            DatabaseProvider.Sqlite => "Sqlite",
            DatabaseProvider.MariaDb => "MariaDB",
            _ => "PostgreSQL",
        };
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider,
            [$"ConnectionStrings:{provider}"] = app.ConnectionString,
            ["DataDirectory"] = app.DataDirectory,
            ["Pdf:ChromiumPath"] = "/nonexistent/chromium",
        }).Build();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await AdminCli.RunAsync(args, stdout, stderr, config, "Development");
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static async Task<JsonNode> SaveAndPublishAsync(HttpClient ops, string partnerId, string language, string body)
    {
        var draft = await ops.PostJson("/api/v1/admin/templates", new { partner_id = partnerId, document_type = "invoice", language, body }, HttpStatusCode.Created);
        return await ops.PostJson($"/api/v1/admin/templates/{draft.Str("id")}/publish", null, HttpStatusCode.OK);
    }

    private async Task<string> PartnerIdAsync(string name)
    {
        await using var db = await Factory.ForSystemAsync("test");
        return await db.Partners.Where(p => p.Name == name).Select(p => p.Id).SingleAsync();
    }

    private async Task<string> SnapshotAsync(string invoiceId)
    {
        await using var db = await Factory.ForSystemAsync("test");
        return await db.Invoices.AsNoTracking().Where(i => i.Id == invoiceId).Select(i => i.TemplateHtmlSnapshot!).SingleAsync();
    }

    private async Task<int> AuditRowsAsync(string entityId)
    {
        await using var db = await Factory.ForSystemAsync("test");
        return await db.AuditLog.CountAsync(a => a.EntityId == entityId);
    }

    /// <summary>A draft invoice of the tenant of <paramref name="email"/> with one line.</summary>
    private async Task<string> NewDraftInvoiceAsync(string email)
    {
        var actor = await app.ActorForAsync(email);
        await using var db = await Factory.ForSystemAsync("test");
        var tenant = await db.Tenants.SingleAsync(t => t.Id == actor.TenantId);
        var invoice = new Invoice(tenant.PartnerId, tenant.Id, "EUR", null, DateTimeOffset.UtcNow);
        invoice.AddLine("Template test seat", 1, ScaiControl.Domain.Common.Money.Of(1000, "EUR"),
            new ScaiControl.Domain.Vat.VatDecision(ScaiControl.Domain.Vat.VatRule.Domestic, ScaiControl.Domain.Vat.VatCategory.S, new ScaiControl.Domain.Vat.VatRate(2100), null, null));
        db.Invoices.Add(invoice);
        await db.SaveChangesAsync();
        return invoice.Id;
    }

    /// <summary>A new invoice of the tenant of <paramref name="email"/>, finalised through the API; returns its id.</summary>
    private async Task<string> FinaliseNewInvoiceAsync(string email)
    {
        var id = await NewDraftInvoiceAsync(email);
        await (await app.ClientForAsync(Api.Ops)).PostJson($"/api/v1/invoices/{id}/finalize", null, HttpStatusCode.OK);
        return id;
    }
}

/// <summary>Resolution cases run against the database.</summary>
public static class TemplateResolutionCases
{
    public static TheoryData<string?, string, string?> Database => new()
    {
        // language asked, stored versions ("owner:language:version", owner P = the partner, "-" = platform), expected
        { "de-AT", "P:de-AT:1 P:de:1 -:de-AT:1", "P:de-AT:1" },
        { "de-AT", "P:de:1 P:en:1 -:de-AT:1", "P:de:1" },
        { "de-AT", "P:en:1 -:de-AT:1", "P:en:1" },
        { "de-AT", "-:de:1 -:en:1", "-:de:1" },
        { "de-AT", "-:en:1 -:en:2", "-:en:2" },
        { "de-AT", "-:fr:1", null },
        { null, "P:de:1 -:en:1", "-:en:1" },
        { "DE-at", "P:de-AT:1 P:de-AT:2", "P:de-AT:2" },
    };
}

public sealed class SqliteTemplateTests(SqliteApp app) : TemplateTests<SqliteApp>(app);

public sealed class PostgresTemplateTests(PostgresApp app) : TemplateTests<PostgresApp>(app);

public sealed class MariaDbTemplateTests(MariaDbApp app) : TemplateTests<MariaDbApp>(app);

using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ScaiControl.Infrastructure;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Web.Cli;

namespace ScaiControl.Tests.Integration;

/// <summary>
/// The operator commands of issue 17 in-process on SQLite with the demo data: each command's happy path, its failure
/// exit code (2 usage, 3 not found, 4 conflict), and --json that parses as the REST API's JSON.
/// </summary>
public sealed class OperatorCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("scai-cli-op-").FullName;

    private IConfiguration Config => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Database:Provider"] = "Sqlite",
        ["ConnectionStrings:Sqlite"] = $"Data Source={Path.Combine(_dir, "cli.db")}",
        ["DataDirectory"] = _dir,
        ["Pdf:ChromiumPath"] = "/nonexistent/chromium",
    }).Build();

    [Fact]
    public async Task PartnersAndTenants_ListAsTableAndJson_FilteredByPartner()
    {
        await Run("seed-demo");
        var (code, output, _) = await Run("partners", "list");
        Assert.Equal(0, code);
        Assert.StartsWith("ID ", output, StringComparison.Ordinal);
        Assert.Matches(@"\d+ partner\(s\)\.", output);

        var partners = await Json("partners", "list", "--json");
        var op = partners.Items().Single(p => p["is_operator"]!.GetValue<bool>());
        var reseller = partners.Items().First(p => !p["is_operator"]!.GetValue<bool>());
        Assert.Contains(op.Str("name"), output, StringComparison.Ordinal);

        var all = await Json("tenants", "list", "--json");
        var mine = await Json("tenants", "list", "--partner", reseller.Str("id"), "--json");
        Assert.NotEmpty(mine.Items());
        Assert.All(mine.Items(), t => Assert.Equal(reseller.Str("id"), t.Str("partner_id")));
        Assert.True(all.Items().Count > mine.Items().Count);

        (code, output, _) = await Run("tenants", "list", "--partner", reseller.Str("id"));
        Assert.Equal(0, code);
        Assert.Contains($"{mine.Items().Count} tenant(s).", output, StringComparison.Ordinal);

        var (bad, _, error) = await Run("tenants", "list", "--partner", "ptr_nope");
        Assert.Equal(3, bad);
        Assert.Contains("ptr_nope", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subscriptions_ListShowAndLifecycle_WithDryRunAndExitCodes()
    {
        await Run("seed-demo");
        var list = await Json("subscriptions", "list", "--status", "active", "--json");
        var active = list.Items().First(s => s["allowed_actions"]!.AsArray().Any(a => a!.GetValue<string>() == "suspend"));
        var id = active.Str("id");
        var tenant = await Json("subscriptions", "list", "--tenant", active.Str("tenant_id"), "--json");
        Assert.All(tenant.Items(), s => Assert.Equal(active.Str("tenant_id"), s.Str("tenant_id")));
        Assert.Contains(tenant.Items(), s => s.Str("id") == id);

        var (code, output, _) = await Run("subscriptions", "show", id);
        Assert.Equal(0, code);
        Assert.Matches(@"status:\s+active", output);
        Assert.Equal(id, (await Json("subscriptions", "show", id, "--json")).Str("id"));

        // A dry run shows the result and changes nothing.
        var dry = await Json("subscriptions", "cancel", id, "--dry-run", "--json");
        Assert.True(dry["dry_run"]!.GetValue<bool>());
        Assert.Equal("cancelled", dry["subscription"]!.Str("status"));
        Assert.Equal("active", (await Json("subscriptions", "show", id, "--json")).Str("status"));

        (code, output, _) = await Run("subscriptions", "suspend", id, "--reason", "cli test");
        Assert.Equal(0, code);
        Assert.Contains("from active to suspended", output, StringComparison.Ordinal);
        var (again, _, error) = await Run("subscriptions", "suspend", id);
        Assert.Equal(4, again);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        (code, output, _) = await Run("subscriptions", "resume", id);
        Assert.Equal(0, code);
        Assert.Contains("from suspended to active", output, StringComparison.Ordinal);

        (code, _, error) = await Run("subscriptions", "show", "sub_nope");
        Assert.Equal(3, code);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        (code, _, error) = await Run("subscriptions", "list", "--status", "sleepy");
        Assert.Equal(2, code);
        Assert.Contains("status", error, StringComparison.Ordinal);
        (code, _, _) = await Run("subscriptions", "cancel");
        Assert.Equal(2, code);
    }

    [Fact]
    public async Task ChangePlan_Preview_ShowsTheAmounts_AndChangesNothing()
    {
        await Run("seed-demo");
        var list = await Json("subscriptions", "list", "--status", "active", "--json");
        var crm = list.Items().First(s => s.Str("plan_code") == "crm-team-monthly");
        var yearly = await PlanIdAsync("crm-team-yearly");

        var preview = await Json("subscriptions", "change-plan", crm.Str("id"), "--plan", yearly, "--preview", "--json");
        Assert.True(preview["preview"]!.GetValue<bool>());
        Assert.Equal("crm-team-yearly", preview["new_plan"]!.Str("code"));
        Assert.Equal(preview.Long("net"), preview.Long("charge") - preview.Long("credit"));
        Assert.Equal("crm-team-monthly", (await Json("subscriptions", "show", crm.Str("id"), "--json")).Str("plan_code"));

        var (code, output, _) = await Run("subscriptions", "change-plan", crm.Str("id"), "--plan", yearly, "--preview");
        Assert.Equal(0, code);
        Assert.Contains("Preview only; nothing was changed.", output, StringComparison.Ordinal);
        Assert.Matches(@"total:\s+EUR -?\d+\.\d\d \(before VAT\)", output);

        // An unknown target plan is a bad argument (the REST API answers 422 on plan_id).
        (code, _, var error) = await Run("subscriptions", "change-plan", crm.Str("id"), "--plan", "pln_nope", "--preview");
        Assert.Equal(2, code);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        (code, _, _) = await Run("subscriptions", "change-plan", "sub_nope", "--plan", yearly, "--preview");
        Assert.Equal(3, code);
        (code, _, _) = await Run("subscriptions", "change-plan", crm.Str("id"), "--preview");
        Assert.Equal(2, code);
    }

    [Fact]
    public async Task Invoices_ListShowCreditNoteFinalise_WithDryRunAndExitCodes()
    {
        await Run("seed-demo");
        var finalised = await Json("invoices", "list", "--status", "finalised", "--json");
        Assert.All(finalised.Items(), i => Assert.Equal("finalised", i.Str("status")));
        var credited = finalised.Items().Select(i => i["referenced_invoice_id"]?.GetValue<string>()).ToHashSet();
        var invoice = finalised.Items().First(i => i.Str("document_type") == "invoice" && !credited.Contains(i.Str("id")));
        var tenantOnly = await Json("invoices", "list", "--tenant", invoice.Str("tenant_id"), "--json");
        Assert.All(tenantOnly.Items(), i => Assert.Equal(invoice.Str("tenant_id"), i.Str("tenant_id")));

        var (code, output, _) = await Run("invoices", "list");
        Assert.Equal(0, code);
        Assert.Contains(invoice.Str("number"), output, StringComparison.Ordinal);
        (code, output, _) = await Run("invoices", "show", invoice.Str("id"));
        Assert.Equal(0, code);
        Assert.Contains(invoice.Str("number"), output, StringComparison.Ordinal);
        Assert.Matches(@"gross:\s+EUR \d+\.\d\d", output);
        var shown = await Json("invoices", "show", invoice.Str("id"), "--json");
        Assert.Equal(invoice.Long("gross_total"), shown.Long("gross_total"));
        Assert.NotEmpty(shown["lines"]!.AsArray());

        var note = await Json("invoices", "credit-note", invoice.Str("id"), "--reason", "cli test", "--json");
        Assert.Equal("credit_note", note.Str("document_type"));
        Assert.Equal("draft", note.Str("status"));
        Assert.Equal(invoice.Str("id"), note.Str("referenced_invoice_id"));

        // The dry run changes nothing; the real one numbers the credit note; a second one is a conflict.
        var dry = await Json("invoices", "finalise", note.Str("id"), "--dry-run", "--json");
        Assert.True(dry["dry_run"]!.GetValue<bool>());
        Assert.Equal("draft", (await Json("invoices", "show", note.Str("id"), "--json")).Str("status"));
        (code, output, _) = await Run("invoices", "finalise", note.Str("id"));
        Assert.Equal(0, code);
        Assert.Matches($@"Finalised {note.Str("id")} as \S+", output);
        var numbered = await Json("invoices", "show", note.Str("id"), "--json");
        Assert.Equal("finalised", numbered.Str("status"));
        Assert.False(string.IsNullOrEmpty(numbered.Str("number")));
        var (again, _, error) = await Run("invoices", "finalise", note.Str("id"));
        Assert.Equal(4, again);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        (again, _, _) = await Run("invoices", "finalise", note.Str("id"), "--dry-run");
        Assert.Equal(4, again);

        (code, _, _) = await Run("invoices", "show", "inv_nope");
        Assert.Equal(3, code);
        (code, _, _) = await Run("invoices", "credit-note", invoice.Str("id"));
        Assert.Equal(2, code);
        (code, _, _) = await Run("invoices", "list", "--status", "paid");
        Assert.Equal(2, code);
    }

    [Fact]
    public async Task Invoices_EInvoiceAndPdf_WriteTheFile_OrExitWithTheReason()
    {
        await Run("seed-demo");
        var invoice = (await Json("invoices", "list", "--status", "finalised", "--json")).Items().First(i => i.Str("document_type") == "invoice");
        var xml = Path.Combine(_dir, "invoice.xml");
        // CII: every buyer can receive it (Peppol UBL needs a business buyer's electronic address, and the newest
        // invoice may be the consumer's).
        var (code, output, error) = await Run("invoices", "einvoice", invoice.Str("id"), "--format", "cii", "--out", xml);
        Assert.True(code == 0, error);
        Assert.Contains($"to {xml}", output, StringComparison.Ordinal);
        var document = System.Xml.Linq.XDocument.Load(xml);
        Assert.Equal("CrossIndustryInvoice", document.Root!.Name.LocalName);
        Assert.Contains(invoice.Str("number"), document.ToString(), StringComparison.Ordinal);

        (code, _, error) = await Run("invoices", "einvoice", invoice.Str("id"), "--format", "docx", "--out", Path.Combine(_dir, "x.docx"));
        Assert.Equal(2, code);
        Assert.False(File.Exists(Path.Combine(_dir, "x.docx")));
        (code, _, _) = await Run("invoices", "einvoice", "inv_nope", "--out", Path.Combine(_dir, "y.xml"));
        Assert.Equal(3, code);

        // No Chromium in this configuration: the PDF can't be rendered, so nothing is written and the reason is given.
        var pdf = Path.Combine(_dir, "invoice.pdf");
        (code, _, error) = await Run("invoices", "pdf", invoice.Str("id"), "--out", pdf);
        Assert.Equal(1, code);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(File.Exists(pdf));
        (code, _, _) = await Run("invoices", "pdf", invoice.Str("id"));
        Assert.Equal(2, code);
    }

    private async Task<string> PlanIdAsync(string code)
    {
        await using var services = Services();
        await using var db = await services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        return await db.Plans.Where(p => p.Code == code).Select(p => p.Id).SingleAsync();
    }

    private async Task<JsonNode> Json(params string[] args)
    {
        var (code, output, error) = await Run(args);
        Assert.True(code == 0, $"exit {code}: {error}");
        return JsonNode.Parse(output)!;
    }

    private ServiceProvider Services()
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(Config);
        services.AddScaiInfrastructure(Config);
        return services.BuildServiceProvider();
    }

    private async Task<(int Code, string Output, string Error)> Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await AdminCli.RunAsync(args, output, error, Config, "Development");
        return (code, output.ToString(), error.ToString());
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}

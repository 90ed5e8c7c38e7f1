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

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
/// The admin-UI actions as `admin` commands (issue 17) in-process on SQLite with the demo data: catalog, partners and
/// tenants, billing runs, templates, registry, users and webhook secrets. Each: the happy path, the failure exit code
/// (2 bad argument, 3 not found, 4 conflict), --json that parses, and --dry-run that writes nothing.
/// </summary>
public sealed class AdminCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("scai-cli-admin-").FullName;

    private IConfiguration Config => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Database:Provider"] = "Sqlite",
        ["ConnectionStrings:Sqlite"] = $"Data Source={Path.Combine(_dir, "cli.db")}",
        ["DataDirectory"] = _dir,
        ["Pdf:ChromiumPath"] = "/nonexistent/chromium",

        // The subscriber made in the test points at a loopback URL over http (never called).
        ["Webhooks:SsrfProtection"] = "false",
        ["Webhooks:AllowHttp"] = "true",
    }).Build();

    [Fact]
    public async Task Catalog_ServicesPlansAndPacks_CreateEditRetire_WithDryRunAndExitCodes()
    {
        await Run("seed-demo");
        var (code, output, _) = await Run("catalog", "services", "list");
        Assert.Equal(0, code);
        Assert.Contains("scaicrm", output, StringComparison.Ordinal);
        Assert.Contains((await Json("catalog", "services", "list", "--json")).Items(), s => s.Str("slug") == "scaicrm");

        Assert.Equal("backup", (await Json("catalog", "services", "create", "backup", "--name", "Backup", "--description", "Nightly", "--json")).Str("slug"));
        (code, _, var error) = await Run("catalog", "services", "create", "backup", "--name", "Again");
        Assert.Equal(4, code);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        (code, _, _) = await Run("catalog", "services", "create", "Not A Slug", "--name", "Bad");
        Assert.Equal(2, code);
        Assert.Equal("Backup Pro", (await Json("catalog", "services", "edit", "backup", "--name", "Backup Pro", "--json")).Str("name"));
        Assert.Equal("Nightly", (await Json("catalog", "services", "show", "backup", "--json")).Str("description"));
        (code, _, _) = await Run("catalog", "services", "show", "no-such-service");
        Assert.Equal(3, code);

        var plan = await Json("catalog", "plans", "create", "--service", "backup", "--code", "backup-monthly", "--name", "Monthly", "--price", "1500", "--json");
        var id = plan["plan"]!.Str("id");
        Assert.Equal(1500, plan["plan"]!.Long("price"));
        (code, output, _) = await Run("catalog", "plans", "show", id);
        Assert.Equal(0, code);
        Assert.Matches(@"price:\s+EUR 15\.00 per month", output);
        Assert.Equal(1900, (await Json("catalog", "plans", "edit", id, "--price", "1900", "--json"))["plan"]!.Long("price"));
        (code, _, _) = await Run("catalog", "plans", "edit", id, "--interval", "fortnight");
        Assert.Equal(2, code);
        (code, _, _) = await Run("catalog", "plans", "create", "--service", "no-such-service", "--code", "x", "--name", "X", "--price", "1");
        Assert.Equal(3, code);
        Assert.Contains((await Json("catalog", "plans", "list", "--search", "backup", "--json")).Items(), p => p["plan"]!.Str("id") == id);

        (code, output, _) = await Run("catalog", "plans", "retire", id, "--dry-run");
        Assert.Equal(0, code);
        Assert.Contains("nothing was changed", output, StringComparison.Ordinal);
        Assert.True((await Json("catalog", "plans", "show", id, "--json"))["plan"]!["active"]!.GetValue<bool>());
        Assert.False((await Json("catalog", "plans", "retire", id, "--json"))["plan"]!["active"]!.GetValue<bool>());
        (code, _, _) = await Run("catalog", "plans", "retire", id);
        Assert.Equal(4, code);
        (code, _, _) = await Run("catalog", "plans", "show", "pln_nope");
        Assert.Equal(3, code);

        var pack = (await Json("catalog", "packs", "list", "--json")).Items().First(p => p["is_active"]!.GetValue<bool>());
        var dry = await Json("catalog", "packs", "retire", pack.Str("id"), "--dry-run", "--json");
        Assert.False(dry["is_active"]!.GetValue<bool>());
        Assert.True((await Json("catalog", "packs", "show", pack.Str("id"), "--json"))["is_active"]!.GetValue<bool>());
        (code, output, _) = await Run("catalog", "packs", "list");
        Assert.Equal(0, code);
        Assert.Contains(pack.Str("code"), output, StringComparison.Ordinal);
        (code, _, _) = await Run("catalog", "packs", "show", "pck_nope");
        Assert.Equal(3, code);
        (code, _, _) = await Run("catalog", "packs", "create", "--code", "empty", "--name", "Empty", "--pricing", "percentage", "--discount-bps", "1000", "--plan", "pln_nope");
        Assert.NotEqual(0, code);
        Assert.DoesNotContain((await Json("catalog", "packs", "list", "--json")).Items(), p => p.Str("code") == "empty");
    }

    [Fact]
    public async Task PartnersAndTenants_ShowCreateEdit_WithExitCodes()
    {
        await Run("seed-demo");
        var partner = await Json("partners", "create", "--name", "Polder Reseller B.V.", "--json");
        var id = partner.Str("id");
        var shown = await Json("partners", "show", id, "--json");
        Assert.Equal("Polder Reseller B.V.", shown["partner"]!.Str("name"));
        Assert.Null(shown["seller"]);
        var nordic = (await Json("partners", "list", "--json")).Items().First(p => p.Str("name").StartsWith("Nordic", StringComparison.Ordinal));
        var (code, output, _) = await Run("partners", "show", nordic.Str("id"));
        Assert.Equal(0, code);
        Assert.Contains("Nordic Cloud AB", output, StringComparison.Ordinal);
        Assert.Equal("Polder Group B.V.", (await Json("partners", "edit", id, "--name", "Polder Group B.V.", "--json")).Str("name"));
        (code, _, var error) = await Run("partners", "edit", id, "--name", "");
        Assert.Equal(2, code);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        (code, _, _) = await Run("partners", "show", "ptr_nope");
        Assert.Equal(3, code);

        var tenant = await Json("tenants", "create", "--partner", id, "--name", "Dijk Data B.V.", "--json");
        Assert.Equal(id, tenant.Str("partner_id"));
        (code, output, _) = await Run("tenants", "show", tenant.Str("id"));
        Assert.Equal(0, code);
        Assert.Matches(@"billing profile:\s+missing", output);
        Assert.Equal("Dijk Data Holding B.V.", (await Json("tenants", "edit", tenant.Str("id"), "--name", "Dijk Data Holding B.V.", "--json")).Str("name"));
        var acme = (await Json("tenants", "list", "--json")).Items().First(t => t.Str("name").StartsWith("Acme", StringComparison.Ordinal));
        Assert.Equal("NL", (await Json("tenants", "show", acme.Str("id"), "--json"))["billing_profile"]!.Str("country"));
        (code, _, _) = await Run("tenants", "create", "--partner", "ptr_nope", "--name", "Orphan");
        Assert.Equal(2, code);
        (code, _, _) = await Run("tenants", "show", "tnt_nope");
        Assert.Equal(3, code);
        (code, _, _) = await Run("tenants", "create", "--name", "No partner");
        Assert.Equal(2, code);
    }

    [Fact]
    public async Task BillingRunsTemplatesUsersRegistryAndWebhookSecrets_WithDryRunAndExitCodes()
    {
        await Run("seed-demo");
        var runs = await Json("billing", "runs", "--json");
        Assert.NotNull(runs["items"]);
        var (code, _, _) = await Run("billing", "run", "show", "brn_nope");
        Assert.Equal(3, code);
        if (runs.Items().Count > 0)
        {
            Assert.Equal(runs.Items()[0].Str("id"), (await Json("billing", "run", "show", runs.Items()[0].Str("id"), "--json")).Str("id"));
        }

        // Templates: a draft published by dry run stays a draft; published for real it is in force; again is a conflict.
        string draftId, subscriberId, appId, oldSecretPath;
        await using (var services = Services())
        {
            var system = ScaiControl.Infrastructure.Tenancy.Actor.System("test");
            var draft = await services.GetRequiredService<ScaiControl.Infrastructure.Templates.InvoiceTemplateService>().CreateDraftAsync(system,
                new ScaiControl.Infrastructure.Templates.TemplateDraft("invoice", "invoice", "fr", null, "<html><body><p>{{number}}</p></body></html>"));
            draftId = draft.Id;
            await using var db = await services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
            var partnerId = (await db.Partners.FirstAsync(p => p.IsOperator)).Id;
            var (subscriber, _) = await services.GetRequiredService<ScaiControl.Infrastructure.Webhooks.WebhookSubscriptionService>()
                .CreateAsync(system, "http://127.0.0.1:9/hook", ["*"], "cli test", partnerId);
            subscriberId = subscriber.Id;
            oldSecretPath = subscriber.SecretPath;
            var registered = new ScaiControl.Domain.Registry.RegisteredService("cli-probe", partnerId, DateTimeOffset.UtcNow);
            registered.Describe("CLI probe", "cli-probe", null, new Uri("http://127.0.0.1:9/"), new Uri("http://127.0.0.1:9/health"), [], "1.0.0", 90, DateTimeOffset.UtcNow);
            db.RegisteredServices.Add(registered);
            await db.SaveChangesAsync();
            appId = registered.AppId;
        }

        var drafts = await Json("templates", "list", "--status", "draft", "--json");
        Assert.Contains(drafts.Items(), t => t.Str("id") == draftId);
        var dry = await Json("templates", "publish", draftId, "--dry-run", "--json");
        Assert.True(dry["dry_run"]!.GetValue<bool>());
        Assert.Equal("published", dry["result"]!.Str("status"));
        Assert.Contains((await Json("templates", "list", "--status", "draft", "--json")).Items(), t => t.Str("id") == draftId);
        (code, var output, _) = await Run("templates", "publish", draftId);
        Assert.Equal(0, code);
        Assert.Contains($"Published template {draftId}", output, StringComparison.Ordinal);
        (code, _, _) = await Run("templates", "publish", draftId);
        Assert.Equal(4, code);
        (code, _, _) = await Run("templates", "publish", "tpl_nope");
        Assert.Equal(3, code);

        // Registry: pending -> (dry run: still pending) -> approved -> retired; retiring again is a conflict.
        Assert.Contains((await Json("registry", "list", "--status", "pending", "--json")).Items(), s => s.Str("app_id") == appId);
        (code, output, _) = await Run("registry", "approve", appId, "--dry-run");
        Assert.Equal(0, code);
        Assert.Contains("from pending to approved; nothing was changed", output, StringComparison.Ordinal);
        Assert.Equal("pending", (await Json("registry", "show", appId, "--json")).Str("registration_status"));
        Assert.Equal("approved", (await Json("registry", "approve", appId, "--json")).Str("registration_status"));
        (code, output, _) = await Run("registry", "retire", appId);
        Assert.Equal(0, code);
        Assert.Contains("from approved to retired", output, StringComparison.Ordinal);
        (code, _, var error) = await Run("registry", "retire", appId);
        Assert.Equal(4, code);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        (code, _, _) = await Run("registry", "show", "no-such-app");
        Assert.Equal(3, code);
        (code, _, _) = await Run("registry", "list", "--status", "sleepy");
        Assert.Equal(2, code);

        // Users: list, show, assign a local role; an unknown role or user is not found.
        var users = await Json("users", "list", "--search", "anna", "--json");
        var anna = Assert.Single(users.Items());
        (code, output, _) = await Run("users", "show", anna.Str("id"));
        Assert.Equal(0, code);
        Assert.Contains("anna@acme-nl.example", output, StringComparison.Ordinal);
        var assigned = await Json("users", "assign-role", anna.Str("id"), "--role", "billing_viewer", "--json");
        Assert.Contains(assigned["assignments"]!.AsArray(), a => a!.Str("role") == "billing_viewer");
        (code, _, _) = await Run("users", "assign-role", anna.Str("id"), "--role", "no_such_role");
        Assert.Equal(3, code);
        (code, _, _) = await Run("users", "show", "usr_nope");
        Assert.Equal(3, code);
        (code, _, _) = await Run("users", "assign-role", anna.Str("id"));
        Assert.Equal(2, code);

        // Webhook secret: the dry run keeps the secret; the real rotation prints a new one once.
        (code, output, _) = await Run("webhooks", "rotate-secret", subscriberId, "--dry-run");
        Assert.Equal(0, code);
        Assert.Contains("nothing was changed", output, StringComparison.Ordinal);
        Assert.Equal(oldSecretPath, await SecretPathAsync(subscriberId));
        (code, output, _) = await Run("webhooks", "rotate-secret", subscriberId);
        Assert.Equal(0, code);
        Assert.Matches(@"secret: whsec_\S+", output);
        Assert.NotEqual(oldSecretPath, await SecretPathAsync(subscriberId));
        (code, _, _) = await Run("webhooks", "rotate-secret", "whs_nope");
        Assert.Equal(3, code);
    }

    private async Task<string> SecretPathAsync(string subscriberId)
    {
        await using var services = Services();
        await using var db = await services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        return await db.WebhookSubscriptions.Where(s => s.Id == subscriberId).Select(s => s.SecretPath).SingleAsync();
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
            // A file still open on a slow machine: the temp directory is cleaned up later.
        }
    }
}

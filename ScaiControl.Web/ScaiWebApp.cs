using System.Text.Json;
using System.Text.Json.Serialization;
using ScaiControl.Infrastructure.Demo;
using ScaiControl.Infrastructure.Persistence;

namespace ScaiControl.Web;

/// <summary>Start-up pieces shared by the web host and the CLI.</summary>
public static class ScaiWebApp
{
    /// <summary>The URL `dotnet run` serves on when none is configured (loopback only).</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>
    /// `dotnet run --project ScaiControl.Web` from a source checkout runs in Development (embedded default, demo
    /// data, development sign-in) without a launch profile, so `admin token` prints nothing but the token. Applies
    /// only when no environment is set, the entry assembly is this app, and it runs from a Debug build inside the
    /// checkout; a published or Release build stays Production. See docs/decisions/0004-development-by-default-from-source.md.
    /// </summary>
    public static void DefaultToDevelopmentFromSource()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT"))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT"))
            || System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name != "ScaiControl.Web")
        {
            return;
        }

        var baseDir = AppContext.BaseDirectory.Replace('\\', '/');
        if (!baseDir.Contains("/bin/Debug/", StringComparison.Ordinal))
        {
            return;
        }

        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ScaiControl.sln")))
        {
            dir = dir.Parent;
        }

        if (dir is not null)
        {
            Environment.SetEnvironmentVariable("DOTNET_ENVIRONMENT", "Development");
            Environment.SetEnvironmentVariable("ASPNETCORE_ENVIRONMENT", "Development");
            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_URLS")))
            {
                Environment.SetEnvironmentVariable("ASPNETCORE_URLS", DefaultUrl);
            }
        }
    }

    /// <summary>
    /// In Development, loads the repository root's appsettings.Development.json (the design card keeps it at the
    /// root, beside README.md), after the project's own settings and before environment variables and arguments.
    /// </summary>
    public static void AddRootDevelopmentSettings(ConfigurationManager configuration, IHostEnvironment environment)
    {
        if (!environment.IsDevelopment())
        {
            return;
        }

        var dir = new DirectoryInfo(environment.ContentRootPath);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ScaiControl.sln")))
        {
            dir = dir.Parent;
        }

        if (dir is null)
        {
            return;
        }

        // Insert right after the last JSON file source (the project's appsettings*.json), so environment variables,
        // command-line arguments and test overrides added later still win.
        var source = new Microsoft.Extensions.Configuration.Json.JsonConfigurationSource { Path = Path.Combine(dir.FullName, "appsettings.Development.json"), Optional = true, ReloadOnChange = false };
        source.ResolveFileProvider();
        var index = configuration.Sources.ToList().FindLastIndex(s => s is Microsoft.Extensions.Configuration.Json.JsonConfigurationSource);
        configuration.Sources.Insert(index + 1, source);
    }

    /// <summary>snake_case JSON with snake_case enum strings, as the spec's fields are.</summary>
    public static void ConfigureJson(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
    }

    /// <summary>
    /// Migrates the database on start-up (unless Database:MigrateOnStart is false: a deployment of several nodes
    /// migrates once, with `admin migrate` or on one node, never relying on a lock across nodes; see docs/decisions/0008)
    /// and, in Development with Demo:SeedOnFirstRun, seeds the demo data once.
    /// </summary>
    public static async Task PrepareDatabaseAsync(WebApplication app)
    {
        var factory = app.Services.GetRequiredService<ScaiDbFactory>();
        if (app.Configuration.GetValue("Database:MigrateOnStart", true))
        {
            await factory.MigrateAsync();
        }

        if (app.Environment.IsDevelopment() && app.Configuration.GetValue("Demo:SeedOnFirstRun", false))
        {
            if (await app.Services.GetRequiredService<DemoSeeder>().SeedAsync())
            {
                app.Logger.LogInformation("Seeded the demo data (sign in as {Email} or any demo user)", DemoSeeder.OperatorEmail);
            }
        }
    }
}

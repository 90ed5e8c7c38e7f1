using Microsoft.Extensions.Configuration;
using ScaiControl.Web.Cli;

namespace ScaiControl.Tests.Integration;

/// <summary>The admin CLI in-process: migrate, seed-demo, billing run, token; bad input exits 2 (3 not found) with one line.</summary>
public sealed class CliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("scai-cli-").FullName;

    private IConfiguration Config => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Database:Provider"] = "Sqlite",
        ["ConnectionStrings:Sqlite"] = $"Data Source={Path.Combine(_dir, "cli.db")}",
        ["DataDirectory"] = _dir,
        ["Pdf:ChromiumPath"] = "/nonexistent/chromium",
        ["Auth:DevSignIn"] = "true",
        ["Auth:DevKeyPath"] = Path.Combine(_dir, "key.pem"),
    }).Build();

    [Fact]
    public async Task SeedDemo_ThenBillingRun_ThenToken()
    {
        var (code, output, _) = await Run("seed-demo");
        Assert.Equal(0, code);
        Assert.Contains("Demo data created.", output, StringComparison.Ordinal);
        (code, output, _) = await Run("seed-demo");
        Assert.Contains("already present", output, StringComparison.Ordinal);

        (code, output, _) = await Run("billing", "run", "--period", Api.CurrentPeriod);
        Assert.Equal(0, code);
        Assert.Matches(@"completed, \d+ invoice\(s\) created", output);
        (code, output, _) = await Run("billing", "run", "--period", Api.CurrentPeriod);
        Assert.Contains("0 invoice(s) created", output, StringComparison.Ordinal);

        (code, output, _) = await Run("token", "--user", Api.Anna);
        Assert.Equal(0, code);
        var token = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(3, token.Split('.').Length);
    }

    [Theory]
    [InlineData(2, "billing", "run", "--period", "2026-13")]
    [InlineData(2, "billing", "run")]
    [InlineData(3, "token", "--user", "nobody@nowhere.example")]
    [InlineData(2, "frobnicate")]
    [InlineData(2, "jobs", "run", "sleep")]
    public async Task BadInput_ExitsWithItsCodeAndOneLineReason(int expected, params string[] args)
    {
        await Run("migrate");
        var (code, _, error) = await Run(args);
        Assert.Equal(expected, code);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiKeys_CreateListRotateRevoke_PrintTheSecretOnce()
    {
        await Run("seed-demo");
        var (code, output, _) = await Run("api-keys", "create", "--name", "crm sync", "--scope", "catalog:read", "--scope", "tenants:read", "--service", "scaicrm");
        Assert.Equal(0, code);
        var id = System.Text.RegularExpressions.Regex.Match(output, @"Created (key_\w+)").Groups[1].Value;
        var secret = output.Split('\n', StringSplitOptions.TrimEntries).Single(l => l.StartsWith("sck_live_", StringComparison.Ordinal));
        Assert.Matches("^sck_live_[0-9a-f]{48}$", secret);

        (code, output, _) = await Run("api-keys", "list");
        Assert.Equal(0, code);
        Assert.Contains($"{id}\t{secret[..15]}…\tscaicrm\tactive\tcatalog:read tenants:read\tnever used", output, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, output, StringComparison.Ordinal);

        (code, output, _) = await Run("api-keys", "rotate", id, "--overlap-minutes", "0");
        Assert.Equal(0, code);
        Assert.Contains($"Rotated {id} to key_", output, StringComparison.Ordinal);
        var (_, listed, _) = await Run("api-keys", "list");
        Assert.Contains($"{id}\t{secret[..15]}…\tscaicrm\trotated", listed, StringComparison.Ordinal);

        var successor = System.Text.RegularExpressions.Regex.Match(output, @"to (key_\w+)").Groups[1].Value;
        (code, output, _) = await Run("api-keys", "revoke", successor);
        Assert.Equal(0, code);
        Assert.Contains($"Revoked {successor}", output, StringComparison.Ordinal);

        var (bad, _, error) = await Run("api-keys", "create", "--name", "x", "--scope", "root:all", "--service", "scaicrm");
        Assert.Equal(2, bad);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        (bad, _, error) = await Run("api-keys", "revoke", "key_doesnotexist");
        Assert.Equal(3, bad);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JobsRunReaper_RunsAtTheGivenClock_AndRefusesABadOne()
    {
        await Run("seed-demo");
        // The seeded FR consumer has a subscription cancelling at its period end; a year on it has been cancelled.
        var (code, output, _) = await Run("jobs", "run", "reaper", "--now", DateTimeOffset.UtcNow.AddYears(1).ToString("O"));
        Assert.Equal(0, code);
        Assert.Matches(@"Reaper at .*: [1-9]\d* cancelled, [1-9]\d* activated", output);
        (code, output, _) = await Run("jobs", "run", "reaper", "--now", DateTimeOffset.UtcNow.AddYears(1).ToString("O"));
        Assert.Contains("0 cancelled, 0 activated, 0 suspended", output, StringComparison.Ordinal);
        var (bad, _, error) = await Run("jobs", "run", "reaper", "--now", "yesterday");
        Assert.Equal(2, bad);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JobsRunTrialNotifier_AnnouncesTheSeededTrialOnce_AtTheGivenClock()
    {
        await Run("seed-demo");
        // The seeded FR consumer's 14-day trial started 3 days ago: 8 days on it is 3 days from its end.
        var (code, output, _) = await Run("jobs", "run", "trial-notifier", "--now", DateTimeOffset.UtcNow.AddDays(2).ToString("O"));
        Assert.Equal(0, code);
        Assert.Contains(": 0 notified", output, StringComparison.Ordinal);
        (code, output, _) = await Run("jobs", "run", "trial-notifier", "--now", DateTimeOffset.UtcNow.AddDays(8).ToString("O"));
        Assert.Equal(0, code);
        Assert.Contains(": 1 notified", output, StringComparison.Ordinal);
        (_, output, _) = await Run("jobs", "run", "trial-notifier", "--now", DateTimeOffset.UtcNow.AddDays(9).ToString("O"));
        Assert.Contains(": 0 notified", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_IsRefusedOutsideDevelopment()
    {
        await Run("seed-demo");
        var (code, output, error) = await Run("Production", ["token", "--user", Api.Ops]);
        Assert.Equal(1, code);
        Assert.Equal(string.Empty, output);
        Assert.Contains("development sign-in", error, StringComparison.Ordinal);
    }

    private Task<(int Code, string Output, string Error)> Run(params string[] args) => Run("Development", args);

    private async Task<(int Code, string Output, string Error)> Run(string environment, string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await AdminCli.RunAsync(args, output, error, Config, environment);
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

using Microsoft.Extensions.Configuration;
using ScaiControl.Infrastructure.Identity;
using ScaiControl.Web.Cli;

namespace ScaiControl.Tests.Integration;

/// <summary>`admin sync` in-process against the fake ScaiKey directory: one summary line, errors on stderr, exit codes.</summary>
public sealed class IdentityCliTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("scai-cli-sync-").FullName;
    private readonly FakeScaiKeyDirectory _directory = new();

    public Task InitializeAsync() => _directory.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _directory.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private IConfiguration Config(string? baseUrl) => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Database:Provider"] = "Sqlite",
        ["ConnectionStrings:Sqlite"] = $"Data Source={Path.Combine(_dir, "cli.db")}",
        ["DataDirectory"] = _dir,
        ["Pdf:ChromiumPath"] = "/nonexistent/chromium",
        ["Identity:Sync:BaseUrl"] = baseUrl,
        ["Identity:Sync:Token"] = FakeScaiKeyDirectory.Token,
    }).Build();

    private async Task<(int Code, string Output, string Error)> Run(string? baseUrl, params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var code = await AdminCli.RunAsync(args, stdout, stderr, Config(baseUrl), "Production");
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Sync_PrintsTheCounts_ASecondRunChangesNothing_AndScaiKeyDownExitsOne()
    {
        Assert.Equal(0, (await Run(_directory.BaseUrl, "seed-demo")).Code);
        _directory.Users["sk-1"] = new DirectoryUser("sk-1", "new.person@example.com", "New Person", await PartnerAsync(), null, ["billing_viewer"], [], "active");

        var (code, output, _) = await Run(_directory.BaseUrl, "sync");
        Assert.Equal(0, code);
        Assert.Matches(@"^Identity sync isr_\w+: succeeded, 1 created, 0 updated, 0 deactivated, 0 group change\(s\)\.", output);
        (code, output, _) = await Run(_directory.BaseUrl, "sync");
        Assert.Equal(0, code);
        Assert.Contains("0 created, 0 updated, 0 deactivated", output, StringComparison.Ordinal);

        _directory.Down = true;
        (code, output, var error) = await Run(_directory.BaseUrl, "sync");
        Assert.Equal(1, code);
        Assert.Contains(": failed, 0 created", output, StringComparison.Ordinal);
        Assert.Contains("503", error, StringComparison.Ordinal);

        (code, _, error) = await Run(null, "sync");
        Assert.Equal(1, code);
        Assert.StartsWith("error: Identity:Sync:BaseUrl is not set", error, StringComparison.Ordinal);
    }

    private async Task<string> PartnerAsync()
    {
        var factory = new ScaiControl.Infrastructure.Persistence.ScaiDbFactory(
            new ScaiControl.Infrastructure.Persistence.DatabaseOptions { Provider = ScaiControl.Infrastructure.Persistence.DatabaseProvider.Sqlite, ConnectionString = $"Data Source={Path.Combine(_dir, "cli.db")}" },
            TimeProvider.System);
        await using var db = await factory.ForSystemAsync("test");
        return await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.FirstAsync(db.Partners.Where(p => !p.IsOperator).Select(p => p.Id));
    }
}

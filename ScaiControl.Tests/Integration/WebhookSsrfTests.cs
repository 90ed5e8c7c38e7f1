using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Webhooks;
using ScaiControl.Infrastructure;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;
using ScaiControl.Infrastructure.Webhooks;

namespace ScaiControl.Tests.Integration;

/// <summary>
/// Outside Development SSRF protection is on by default: creating or editing a subscriber to a private, loopback or
/// link-local target is a 422 on "url" and nothing is written (no subscriber, no secret, no change).
/// </summary>
public sealed class WebhookSsrfTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("scai-ssrf-").FullName;
    private ServiceProvider _services = default!;

    private WebhookSubscriptionService Service => _services.GetRequiredService<WebhookSubscriptionService>();

    public async Task InitializeAsync()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["ConnectionStrings:Sqlite"] = $"Data Source={Path.Combine(_dir, "t.db")}",
            ["DataDirectory"] = _dir,
            ["Pdf:ChromiumPath"] = "/nonexistent/chromium",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<IConfiguration>(config);
        services.AddScaiInfrastructure(config); // no host environment: production defaults
        _services = services.BuildServiceProvider();
        await _services.GetRequiredService<ScaiDbFactory>().MigrateAsync();
    }

    [Theory]
    [InlineData("https://10.0.0.5/hook")]
    [InlineData("https://127.0.0.1/hook")]
    [InlineData("https://169.254.169.254/latest/meta-data")]
    [InlineData("https://[::1]/hook")]
    [InlineData("http://203.0.113.10/hook")]
    public async Task APrivateOrPlainHttpTarget_IsRefusedOnUrl_AndNothingIsWritten(string url)
    {
        Assert.True(_services.GetRequiredService<WebhookOptions>().SsrfProtection);
        var ops = Actor.System("test");
        int subscribers, secrets;
        await using (var db = await _services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test"))
        {
            subscribers = await db.WebhookSubscriptions.CountAsync();
            secrets = await db.LocalSecrets.CountAsync();
        }

        var create = await Assert.ThrowsAsync<DomainValidationException>(() => Service.CreateAsync(ops, url, ["*"], null, null));
        Assert.Equal("url", create.Field);

        await using (var db = await _services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test"))
        {
            Assert.Equal(subscribers, await db.WebhookSubscriptions.CountAsync());
            Assert.Equal(secrets, await db.LocalSecrets.CountAsync());
        }
    }

    [Fact]
    public async Task EditingToAPrivateTarget_IsRefused_AndTheSubscriberIsUnchanged()
    {
        var ops = Actor.System("test");
        const string partner = "ptr_01TESTPARTNER";
        string id;
        await using (var db = await _services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test"))
        {
            var s = new WebhookSubscription(partner, "https://203.0.113.10/hook", TopicFilter.Parse(["*"]), "public", "test/x", DateTimeOffset.UtcNow);
            db.WebhookSubscriptions.Add(s);
            await db.SaveChangesAsync();
            id = s.Id;
        }

        var e = await Assert.ThrowsAsync<DomainValidationException>(() => Service.UpdateAsync(ops, id, "https://192.168.1.10/hook", ["subscription.*"], "changed", replace: true));

        Assert.Equal("url", e.Field);
        var after = await Service.GetAsync(ops, id);
        Assert.Equal("https://203.0.113.10/hook", after.Url);
        Assert.Equal("*", after.Topics);
        Assert.Equal("public", after.Description);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
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

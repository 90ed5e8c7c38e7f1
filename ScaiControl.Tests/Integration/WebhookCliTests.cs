using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ScaiControl.Domain.Events;
using ScaiControl.Domain.Webhooks;
using ScaiControl.Infrastructure;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Webhooks;
using ScaiControl.Web.Cli;

namespace ScaiControl.Tests.Integration;

/// <summary>`admin webhooks list|replay` and `admin docs webhooks` in-process; bad input exits 2 (unknown subscriber 3) with one line and changes nothing.</summary>
public sealed class WebhookCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("scai-cli-wh-").FullName;

    private IConfiguration Config => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Database:Provider"] = "Sqlite",
        ["ConnectionStrings:Sqlite"] = $"Data Source={Path.Combine(_dir, "cli.db")}",
        ["DataDirectory"] = _dir,
        ["Pdf:ChromiumPath"] = "/nonexistent/chromium",
    }).Build();

    [Fact]
    public async Task ListAndReplay_ShowTheSubscriber_AndReplayItsFailedDeliveries()
    {
        await Run("seed-demo");
        var (subscriber, delivery) = await AddFailedDeliveryAsync();

        var (code, output, _) = await Run("webhooks", "list");
        Assert.Equal(0, code);
        Assert.Contains(subscriber, output, StringComparison.Ordinal);
        Assert.Contains("https://hooks.example.com/scai", output, StringComparison.Ordinal);

        (code, output, _) = await Run("webhooks", "replay", "--subscription", subscriber, "--since", "2000-01-01T00:00:00Z", "--topic", "subscription.*", "--status", "failed");
        Assert.Equal(0, code);
        Assert.Contains("Replayed 1 delivery(ies)", output, StringComparison.Ordinal);
        Assert.Equal(WebhookDeliveryStatus.Pending, (await DeliveryAsync(delivery)).Status);
    }

    [Fact]
    public async Task ListJson_Parses_AndReplayOfOneDelivery_MakesItPending()
    {
        await Run("seed-demo");
        var (subscriber, delivery) = await AddFailedDeliveryAsync();

        var (code, output, _) = await Run("webhooks", "list", "--json");
        Assert.Equal(0, code);
        var item = Assert.Single(System.Text.Json.Nodes.JsonNode.Parse(output)!["items"]!.AsArray());
        Assert.Equal(subscriber, item!["id"]!.GetValue<string>());
        Assert.Equal("https://hooks.example.com/scai", item["url"]!.GetValue<string>());

        (code, output, _) = await Run("webhooks", "replay", delivery);
        Assert.Equal(0, code);
        Assert.Contains($"Replayed delivery {delivery}", output, StringComparison.Ordinal);
        Assert.Equal(WebhookDeliveryStatus.Pending, (await DeliveryAsync(delivery)).Status);

        var (bad, _, error) = await Run("webhooks", "replay", "whd_nope");
        Assert.Equal(3, bad);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        (bad, _, _) = await Run("webhooks", "replay", delivery, "--subscription", subscriber);
        Assert.Equal(2, bad);
    }

    [Theory]
    [InlineData("--since", "last tuesday", "since")]
    [InlineData("--status", "pending", "status")]
    [InlineData("--topic", "nonsense.*", "topic")]
    public async Task Replay_WithBadInput_ExitsTwoWithAOneLineReason_AndChangesNothing(string option, string value, string mentioned)
    {
        await Run("seed-demo");
        var (subscriber, delivery) = await AddFailedDeliveryAsync();

        var (code, output, error) = await Run("webhooks", "replay", "--subscription", subscriber, option, value);

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains(mentioned, line, StringComparison.Ordinal);
        Assert.Equal(WebhookDeliveryStatus.Failed, (await DeliveryAsync(delivery)).Status);
    }

    [Fact]
    public async Task Replay_OfAnUnknownSubscriber_ExitsThree_OrWithoutOne_ExitsTwo()
    {
        await Run("migrate");
        var (code, _, error) = await Run("webhooks", "replay", "--subscription", "whs_nope");
        Assert.Equal(3, code);
        Assert.Contains("whs_nope", error, StringComparison.Ordinal);
        (code, _, error) = await Run("webhooks", "replay");
        Assert.Equal(2, code);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DocsWebhooks_PrintsTheGeneratedPage()
    {
        var (code, output, _) = await Run("docs", "webhooks");
        Assert.Equal(0, code);
        Assert.Equal(WebhookDocs.ToMarkdown(), output);
    }

    /// <summary>A subscriber with one failed delivery of a seeded subscription event, written straight to the database.</summary>
    private async Task<(string Subscriber, string Delivery)> AddFailedDeliveryAsync()
    {
        await using var services = Services();
        await using var db = await services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        var e = await db.OutboxEvents.FirstAsync(x => x.Topic == EventTopics.SubscriptionActivated);
        var now = DateTimeOffset.UtcNow;
        var s = new WebhookSubscription(e.PartnerId, "https://hooks.example.com/scai", TopicFilter.Parse(["*"]), "cli test", "test/none", now);
        var d = new WebhookDelivery(s.Id, e.Id, e.IdempotencyKey, e.Topic, now);
        d.Abandon(410, "gone", now, countAttempt: true);
        db.WebhookSubscriptions.Add(s);
        db.WebhookDeliveries.Add(d);
        await db.SaveChangesAsync();
        return (s.Id, d.Id);
    }

    private async Task<WebhookDelivery> DeliveryAsync(string id)
    {
        await using var services = Services();
        await using var db = await services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test");
        return await db.WebhookDeliveries.AsNoTracking().SingleAsync(d => d.Id == id);
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

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ScaiControl.Infrastructure.Persistence;

namespace ScaiControl.Tests.Integration.Security;

/// <summary>The app with every log line (all levels, all categories, scopes and exceptions) captured.</summary>
public sealed class LogCapturingApp : SqliteApp
{
    /// <summary>Every log line written so far.</summary>
    public CapturingLoggerProvider Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureLogging(l => l.AddProvider(Logs).AddFilter<CapturingLoggerProvider>(null, LogLevel.Trace));
    }
}

/// <summary>
/// Webhook signing secrets are shown once (the create and rotate answers) and nowhere else: not in a log line, an
/// audit row, an outbox event, a delivery attempt's logged headers, a problem response, another API response or a
/// portal page, though deliveries signed with them reached the receiver.
/// </summary>
public sealed class SecretScanTests(LogCapturingApp app) : IClassFixture<LogCapturingApp>
{
    private const string Subs = "/api/v1/admin/webhook-subscriptions";

    [Fact]
    public async Task SecretValues_AppearOnlyInTheAnswerThatShowsThemOnce()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var ops = await app.ClientForAsync(Api.Ops);
        var partner = (await app.ActorForAsync(Api.Anna)).PartnerId!;
        var bodies = new List<(string What, string Body)>();

        async Task<string> Call(string what, HttpResponseMessage response)
        {
            var body = await response.Content.ReadAsStringAsync();
            bodies.Add(($"{what} -> {(int)response.StatusCode}", body));
            return body;
        }

        var created = JsonDocument.Parse(await Call("create", await ops.PostAsJsonAsync(Subs, new { url = receiver.Url, topics = new[] { "*" }, description = "scan", partner_id = partner }))).RootElement;
        var id = created.GetProperty("id").GetString()!;
        var first = created.GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", first, StringComparison.Ordinal);
        bodies.RemoveAt(bodies.Count - 1); // the one answer allowed to show the first secret

        await Call("get", await ops.GetAsync($"{Subs}/{id}"));
        await Call("list", await ops.GetAsync(Subs));
        await Call("test", await ops.PostAsync($"{Subs}/{id}/test", null));

        var rotated = await Call("rotate", await ops.PostAsync($"{Subs}/{id}/rotate-secret", null));
        var second = JsonDocument.Parse(rotated).RootElement.GetProperty("secret").GetString()!;
        Assert.NotEqual(first, second);
        Assert.DoesNotContain(first, rotated, StringComparison.Ordinal); // the rotate answer shows the new secret only
        bodies.RemoveAt(bodies.Count - 1);

        await Call("test after rotation", await ops.PostAsync($"{Subs}/{id}/test", null));
        await Call("deliveries", await ops.GetAsync($"{Subs}/{id}/deliveries"));
        await Call("get after rotation", await ops.GetAsync($"{Subs}/{id}"));
        await Call("bad url", await ops.PatchAsJsonAsync($"{Subs}/{id}", new { url = "ftp://x" }));
        await Call("bad topics", await ops.PatchAsJsonAsync($"{Subs}/{id}", new { topics = new[] { "nope.*" } }));
        await Call("malformed", await ops.PostAsync($"{Subs}/{id}/replay", new StringContent("{", System.Text.Encoding.UTF8, "application/json")));
        await Call("unknown id", await ops.PostAsync($"{Subs}/whs_unknown/rotate-secret", null));
        await Call("other partner's admin", await (await app.ClientForAsync(Api.Lars)).GetAsync($"{Subs}/{id}"));
        await Call("portal page", await ops.GetAsync($"/admin/webhook-subscriptions/{id}"));

        // The secrets were used: both signatures verify at the receiver.
        Assert.Contains(receiver.Hits, h => WebhookReceiver.Verify(first, h));
        Assert.Contains(receiver.Hits, h => WebhookReceiver.Verify(second, h));

        var places = new List<(string Where, string Text)>();
        places.AddRange(bodies.Select(b => ("response " + b.What, b.Body)));
        places.AddRange(app.Logs.Lines.Select(l => ("log", l)));
        await using (var db = await app.Services.GetRequiredService<ScaiDbFactory>().ForSystemAsync("test"))
        {
            places.AddRange((await db.AuditLog.ToListAsync()).Select(a => ("audit " + a.Action, $"{a.Actor} {a.EntityId} {a.BeforeJson} {a.AfterJson}")));
            places.AddRange((await db.OutboxEvents.ToListAsync()).Select(e => ("outbox " + e.Topic, e.PayloadJson)));
            places.AddRange((await db.WebhookDeliveryAttempts.ToListAsync()).Select(a => ("attempt", $"{a.RequestHeaders} {a.ResponseExcerpt} {a.Error}")));
        }

        Assert.Contains(places, p => p.Where == "log" && p.Text.Contains(id, StringComparison.Ordinal)); // the capture works
        Assert.Contains(places, p => p.Where.StartsWith("audit", StringComparison.Ordinal) && p.Text.Contains(id, StringComparison.Ordinal));
        foreach (var secret in new[] { first, second })
        {
            var key = secret["whsec_".Length..];
            var leaks = places.Where(p => p.Text.Contains(key, StringComparison.Ordinal)).Select(p => p.Where).Distinct().ToList();
            Assert.True(leaks.Count == 0, $"a secret shows in: {string.Join(", ", leaks)}");
        }
    }
}

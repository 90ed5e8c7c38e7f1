using System.CommandLine;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;
using ScaiControl.Infrastructure.Webhooks;

namespace ScaiControl.Web.Cli;

/// <summary>
/// `admin webhooks list` and `admin webhooks replay --subscription ID [--since RFC3339] [--topic T] [--status failed]`
/// (issue 5), and `admin docs webhooks`. Run as the system actor (every partner). Bad input exits 1 with a one-line
/// reason on stderr, and nothing changes.
/// </summary>
public static class WebhookCli
{
    /// <summary>The `webhooks` command group.</summary>
    public static Command Command(IConfiguration? overrides, string? environment, TextWriter stdout, TextWriter stderr)
    {
        var list = new Command("list", "List every webhook subscriber: id, partner, state, URL, topics.");
        list.SetAction(async (_, ct) => await AdminCli.WithServices(overrides, environment, stderr, async sp =>
        {
            await sp.GetRequiredService<ScaiDbFactory>().MigrateAsync(ct);
            var all = await sp.GetRequiredService<WebhookSubscriptionService>().ListAsync(Actor.System("cli"), ct);
            foreach (var s in all)
            {
                var state = s.Enabled ? "enabled" : $"disabled ({s.DisabledReason ?? "manually"})";
                await stdout.WriteLineAsync($"{s.Id}\t{s.PartnerId}\t{state}\t{s.Url}\t{s.Topics}");
            }

            await stdout.WriteLineAsync($"{all.Count} subscriber(s).");
            return 0;
        }));

        var subscription = new Option<string>("--subscription") { Description = "The subscriber id (whs_...).", Required = true };
        var since = new Option<string?>("--since") { Description = "Only deliveries created at or after this RFC 3339 time." };
        var topic = new Option<string?>("--topic") { Description = "Only this topic, or a wildcard such as subscription.*." };
        var status = new Option<string?>("--status") { Description = "failed or succeeded (default: both)." };
        var replay = new Command("replay", "Replay a subscriber's settled deliveries: pending and due now, attempt log kept.") { subscription, since, topic, status };
        replay.SetAction(async (parse, ct) => await AdminCli.WithServices(overrides, environment, stderr, async sp =>
        {
            await sp.GetRequiredService<ScaiDbFactory>().MigrateAsync(ct);
            var id = parse.GetValue(subscription)!;
            var count = await sp.GetRequiredService<WebhookSubscriptionService>().ReplayAsync(Actor.System("cli"), id, parse.GetValue(since), parse.GetValue(topic), parse.GetValue(status), ct);
            await stdout.WriteLineAsync($"Replayed {count} delivery(ies) of {id}; the dispatcher sends them at its next pass.");
            return 0;
        }));

        return new Command("webhooks", "Webhook subscribers and deliveries.") { list, replay };
    }

    /// <summary>`docs webhooks`: prints docs/webhooks.md, generated from the code.</summary>
    public static Command DocsCommand(TextWriter stdout)
    {
        var docs = new Command("webhooks", "Print docs/webhooks.md, generated from the topics, payload shapes, signing and retry schedule.");
        docs.SetAction(async (_, _) =>
        {
            await stdout.WriteAsync(WebhookDocs.ToMarkdown());
            return 0;
        });
        return docs;
    }
}

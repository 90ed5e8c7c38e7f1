using System.CommandLine;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;
using ScaiControl.Infrastructure.Webhooks;

namespace ScaiControl.Web.Cli;

/// <summary>
/// `admin webhooks list [--json]` and `admin webhooks replay DELIVERY | --subscription ID [--since RFC3339] [--topic T] [--status failed]`
/// (issues 5, 17), and `admin docs webhooks`. Run as the system actor (every partner). Bad input exits 2 (unknown id 3)
/// with a one-line reason on stderr, and nothing changes.
/// </summary>
public static class WebhookCli
{
    /// <summary>The `webhooks` command group.</summary>
    public static Command Command(IConfiguration? overrides, string? environment, TextWriter stdout, TextWriter stderr)
    {
        var json = CliOutput.JsonOption();
        var list = new Command("list", "List every webhook subscriber: id, partner, state, URL, topics. Example: admin webhooks list --json") { json };
        list.SetAction(async (parse, ct) => await AdminCli.WithServices(overrides, environment, stderr, async sp =>
        {
            await sp.GetRequiredService<ScaiDbFactory>().MigrateAsync(ct);
            var all = await sp.GetRequiredService<WebhookSubscriptionService>().ListAsync(Actor.System("cli"), ct);
            if (parse.GetValue(json))
            {
                await CliOutput.WriteJsonAsync(stdout, new Api.ListResponse<Api.WebhookSubscriptionDto>(all.Select(Api.WebhookSubscriptionDto.From).ToArray(), null));
                return 0;
            }

            foreach (var s in all)
            {
                var state = s.Enabled ? "enabled" : $"disabled ({s.DisabledReason ?? "manually"})";
                await stdout.WriteLineAsync($"{s.Id}\t{s.PartnerId}\t{state}\t{s.Url}\t{s.Topics}");
            }

            await stdout.WriteLineAsync($"{all.Count} subscriber(s).");
            return 0;
        }));

        var delivery = new Argument<string?>("delivery") { Description = "One delivery to send again (whd_...); or leave it out and pass --subscription.", Arity = ArgumentArity.ZeroOrOne };
        var subscription = new Option<string?>("--subscription") { Description = "Replay this subscriber's settled deliveries (whs_...), filtered by --since, --topic, --status." };
        var since = new Option<string?>("--since") { Description = "Only deliveries created at or after this RFC 3339 time." };
        var topic = new Option<string?>("--topic") { Description = "Only this topic, or a wildcard such as subscription.*." };
        var status = new Option<string?>("--status") { Description = "failed or succeeded (default: both)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Run the same checks and count what would be replayed; change nothing." };
        var replay = new Command("replay", "Replay one delivery, or a subscriber's settled deliveries: pending and due now, attempt log kept. "
            + "Examples: admin webhooks replay whd_...; admin webhooks replay --subscription whs_... --status failed --dry-run") { delivery, subscription, since, topic, status, dryRun };
        replay.SetAction(async (parse, ct) => await AdminCli.WithServices(overrides, environment, stderr, async sp =>
        {
            var deliveryId = parse.GetValue(delivery);
            var id = parse.GetValue(subscription);
            if ((deliveryId is null) == (id is null))
            {
                throw new Domain.Common.DomainValidationException("subscription", "Give either a delivery id or --subscription, not both and not neither.");
            }

            await sp.GetRequiredService<ScaiDbFactory>().MigrateAsync(ct);
            if (deliveryId is not null)
            {
                var one = await sp.GetRequiredService<WebhookSubscriptionService>().ReplayDeliveryAsync(Actor.System("cli"), deliveryId, parse.GetValue(dryRun), ct);
                await stdout.WriteLineAsync(parse.GetValue(dryRun) ? $"Dry run: delivery {one.Id} ({one.Topic}) of {one.SubscriptionId} would be replayed; nothing was changed." : $"Replayed delivery {one.Id} ({one.Topic}) of {one.SubscriptionId}; the dispatcher sends it at its next pass.");
                return 0;
            }

            var count = await sp.GetRequiredService<WebhookSubscriptionService>().ReplayAsync(Actor.System("cli"), id!, parse.GetValue(since), parse.GetValue(topic), parse.GetValue(status), parse.GetValue(dryRun), ct);
            await stdout.WriteLineAsync(parse.GetValue(dryRun) ? $"Dry run: {count} delivery(ies) of {id} would be replayed; nothing was changed." : $"Replayed {count} delivery(ies) of {id}; the dispatcher sends them at its next pass.");
            return 0;
        }));

        return new Command("webhooks", "Webhook subscribers and deliveries.") { list, replay, OperationsCli.RotateSecret(overrides, environment, stdout, stderr) };
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

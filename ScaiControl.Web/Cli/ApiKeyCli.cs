using System.CommandLine;
using System.Globalization;
using ScaiControl.Infrastructure.Identity;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Web.Cli;

/// <summary>
/// `admin api-keys create|list|rotate|revoke` (issue 11): the same <see cref="ApiKeyService"/> as the API, run as the
/// system actor (every partner). A new or rotated key's secret is printed once, on its own line. Bad input exits 1
/// with a one-line reason on stderr, and nothing changes.
/// </summary>
public static class ApiKeyCli
{
    /// <summary>The `api-keys` command group.</summary>
    public static Command Command(IConfiguration? overrides, string? environment, TextWriter stdout, TextWriter stderr)
    {
        var name = new Option<string>("--name") { Description = "What the key is for (shown in lists).", Required = true };
        var scopes = new Option<string[]>("--scope") { Description = "A permission the key grants (repeat for several), e.g. invoices:read.", Required = true, AllowMultipleArgumentsPerToken = true };
        var partner = new Option<string?>("--partner") { Description = "A partner-level key for this partner (ptr_...)." };
        var tenant = new Option<string?>("--tenant") { Description = "A tenant's key (tnt_...): acts as that tenant." };
        var service = new Option<string?>("--service") { Description = "A registered service's key (its app_id)." };
        var expires = new Option<string?>("--expires") { Description = "Expiry, RFC 3339 UTC (default: none)." };
        var env = new Option<string?>("--environment") { Description = "live (default) or test." };
        var create = new Command("create", "Create a service API key; prints its id and, once, its secret.") { name, scopes, partner, tenant, service, expires, env };
        create.SetAction(async (parse, ct) => await AdminCli.WithServices(overrides, environment, stderr, async sp =>
        {
            DateTimeOffset? expiresAt = null;
            if (parse.GetValue(expires) is { } text)
            {
                if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
                {
                    await stderr.WriteLineAsync($"error: --expires '{text}' is not an RFC 3339 time.");
                    return ExitCodes.Usage;
                }

                expiresAt = at;
            }

            await sp.GetRequiredService<ScaiDbFactory>().MigrateAsync(ct);
            var (key, secret) = await sp.GetRequiredService<ApiKeyService>().CreateAsync(Actor.System("cli"),
                new ApiKeyRequest(parse.GetValue(name), parse.GetValue(scopes), parse.GetValue(partner), parse.GetValue(tenant), parse.GetValue(service), expiresAt, parse.GetValue(env)), ct);
            await stdout.WriteLineAsync($"Created {key.Id} ({key.Prefix}…) for {key.TenantId ?? key.ServiceAppId ?? key.PartnerId} with {key.Scopes}.");
            await stdout.WriteLineAsync("The secret, shown once:");
            await stdout.WriteLineAsync(secret);
            return 0;
        }));

        var list = new Command("list", "List every API key: id, prefix, owner, status, scopes, last use.");
        list.SetAction(async (_, ct) => await AdminCli.WithServices(overrides, environment, stderr, async sp =>
        {
            await sp.GetRequiredService<ScaiDbFactory>().MigrateAsync(ct);
            var service = sp.GetRequiredService<ApiKeyService>();
            var now = sp.GetRequiredService<TimeProvider>().GetUtcNow();
            string? cursor = null;
            var count = 0;
            do
            {
                var page = await service.ListAsync(Actor.System("cli"), cursor, Paging.MaxLimit, ct);
                foreach (var k in page.Items)
                {
                    var lastUse = k.LastUsedAt is { } at ? $"{at.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ} from {k.LastUsedIp}" : "never used";
                    await stdout.WriteLineAsync($"{k.Id}\t{k.Prefix}…\t{k.TenantId ?? k.ServiceAppId ?? k.PartnerId}\t{Api.ApiKeyDto.StatusOf(k, now)}\t{k.Scopes}\t{lastUse}");
                    count++;
                }

                cursor = page.NextCursor;
            }
            while (cursor is not null);

            await stdout.WriteLineAsync($"{count} key(s).");
            return 0;
        }));

        var id = new Argument<string>("id") { Description = "The key id (key_...)." };
        var overlap = new Option<int?>("--overlap-minutes") { Description = "How long the old key keeps working (default 1440, at most 10080)." };
        var rotate = new Command("rotate", "Replace a key by a new one (secret printed once); the old one works for the overlap.") { id, overlap };
        rotate.SetAction(async (parse, ct) => await AdminCli.WithServices(overrides, environment, stderr, async sp =>
        {
            await sp.GetRequiredService<ScaiDbFactory>().MigrateAsync(ct);
            var minutes = parse.GetValue(overlap);
            var (key, secret, previous) = await sp.GetRequiredService<ApiKeyService>().RotateAsync(Actor.System("cli"), parse.GetValue(id)!, minutes is { } m ? TimeSpan.FromMinutes(m) : null, ct);
            await stdout.WriteLineAsync($"Rotated {previous.Id} to {key.Id}; {previous.Id} works until {previous.OverlapUntil!.Value.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}.");
            await stdout.WriteLineAsync("The new secret, shown once:");
            await stdout.WriteLineAsync(secret);
            return 0;
        }));

        var revoke = new Command("revoke", "Revoke a key at once.") { id };
        revoke.SetAction(async (parse, ct) => await AdminCli.WithServices(overrides, environment, stderr, async sp =>
        {
            await sp.GetRequiredService<ScaiDbFactory>().MigrateAsync(ct);
            var key = await sp.GetRequiredService<ApiKeyService>().RevokeAsync(Actor.System("cli"), parse.GetValue(id)!, ct);
            await stdout.WriteLineAsync($"Revoked {key.Id} at {key.RevokedAt!.Value.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}.");
            return 0;
        }));

        return new Command("api-keys", "Service API keys.") { create, list, rotate, revoke };
    }
}

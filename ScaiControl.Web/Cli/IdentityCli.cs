using ScaiControl.Infrastructure.Identity;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;
using System.CommandLine;

namespace ScaiControl.Web.Cli;

/// <summary>`admin sync`: pulls users and groups from ScaiKey's directory once (docs/identity.md, "Identity sync").</summary>
public static class IdentityCli
{
    /// <summary>
    /// The sync command: prints one line with the run's id, status and counts, each error on stderr; exit code 0 when
    /// the run succeeded, 1 when it failed or had errors, 2 when another run is still in progress.
    /// </summary>
    public static Command Command(Microsoft.Extensions.Configuration.IConfiguration? overrides, string? environment, TextWriter stdout, TextWriter stderr)
    {
        var sync = new Command("sync", "Pull users and groups from ScaiKey (Identity:Sync:BaseUrl) now: create, update, deactivate; local role assignments stay.");
        sync.SetAction(async (_, ct) => await AdminCli.WithServices(overrides, environment, stderr, async sp =>
        {
            if (sp.GetRequiredService<IdentitySyncOptions>().BaseUrl is not { Length: > 0 })
            {
                await stderr.WriteLineAsync("error: Identity:Sync:BaseUrl is not set (ScaiKey's base URL).");
                return 1;
            }

            await sp.GetRequiredService<ScaiDbFactory>().MigrateAsync(ct);
            var run = await sp.GetRequiredService<IdentitySyncService>().RunAsync(Actor.System("cli"), ct);
            if (run.Status == Domain.Identity.IdentitySyncStatus.Running)
            {
                await stderr.WriteLineAsync($"error: identity sync {run.Id} started at {run.StartedAt:O} on {run.Node} is still running; try again later.");
                return ExitCodes.Conflict;
            }

            await stdout.WriteLineAsync($"Identity sync {run.Id}: {Status(run.Status)}, {run.Created} created, {run.Updated} updated, {run.Deactivated} deactivated, {run.Groups} group change(s).");
            foreach (var error in (run.Errors ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                await stderr.WriteLineAsync(error);
            }

            return run.Status == Domain.Identity.IdentitySyncStatus.Succeeded ? 0 : 1;
        }));
        return sync;
    }

    /// <summary>The snake_case name of a run status, as docs/identity.md shows it.</summary>
    public static string Status(Domain.Identity.IdentitySyncStatus status) => status switch
    {
        Domain.Identity.IdentitySyncStatus.CompletedWithErrors => "completed_with_errors",
        _ => status.ToString().ToLowerInvariant(),
    };
}

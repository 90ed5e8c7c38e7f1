using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Quartz;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Infrastructure.Identity;

/// <summary>Registers effective permissions, the identity admin service and the identity sync (Identity:Sync:*, see <see cref="IdentitySyncOptions"/>).</summary>
public static class IdentityRegistration
{
    /// <summary>Adds the identity services.</summary>
    public static IServiceCollection AddScaiIdentity(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("Identity:Sync").Get<IdentitySyncOptions>() ?? new IdentitySyncOptions();
        services.AddSingleton(options);
        services.AddHttpClient(ScaiKeyDirectoryClient.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        services.TryAddSingleton<IScaiKeyDirectory, ScaiKeyDirectoryClient>();
        services.AddSingleton<EffectivePermissionService>();
        services.AddSingleton<IdentitySyncService>();
        services.AddSingleton<IdentityAdminService>();
        return services;
    }

    /// <summary>Schedules <see cref="IdentitySyncJob"/> every Identity:Sync:Interval when Identity:Sync:BaseUrl is set and Identity:Sync:Enabled is not false.</summary>
    public static void ScheduleIdentitySync(IQuartzBuilder q, IConfiguration configuration)
    {
        var options = configuration.GetSection("Identity:Sync").Get<IdentitySyncOptions>() ?? new IdentitySyncOptions();
        if (string.IsNullOrWhiteSpace(options.BaseUrl) || !options.Enabled)
        {
            return;
        }

        q.ScheduleJob<IdentitySyncJob>(
            t => t.WithIdentity("identity-sync").StartNow().WithSimpleSchedule(s => s.WithInterval(options.Interval).RepeatForever()),
            j => j.WithIdentity(IdentitySyncJob.Key).DisallowConcurrentExecution());
    }
}

/// <summary>
/// The scheduled identity sync. Safe on several nodes: the clustered job store fires it on one node, and a node that
/// fires anyway finds the run in progress and skips (see <see cref="IdentitySyncService.RunAsync"/>); the sync itself is idempotent.
/// </summary>
public sealed class IdentitySyncJob(IdentitySyncService sync) : IJob
{
    /// <summary>The job's key.</summary>
    public static readonly JobKey Key = new("identity-sync");

    /// <inheritdoc/>
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await sync.RunAsync(Actor.System(IdentitySyncService.SystemJob), cancellationToken);
}

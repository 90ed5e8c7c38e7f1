using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Quartz;
using ScaiControl.Domain.Registry;
using ScaiControl.Infrastructure.Persistence;

namespace ScaiControl.Infrastructure.Registry;

/// <summary>What one monitor pass did: services probed, and health changes recorded.</summary>
public sealed record MonitorPass(int Probed, int Changed);

/// <summary>
/// The heartbeat monitor (spec 000: "HM -->|GET /health| registered services"): for every registration that is not
/// retired and whose probe is due, GETs its health_check_url (Registry:ProbeTimeout), combines the answer with the
/// heartbeat's age against the service's TTL and the status it last reported, and feeds that one observation into the
/// flap-damped health (<see cref="RegisteredService.Observe"/>). Every change becomes a <see cref="ServiceHealthEvent"/>.
/// An unreachable service is probed less often (the interval doubling per further failure, up to Registry:MaxBackoff).
/// Safe on several nodes: each due probe is claimed with a conditional UPDATE on its next_probe_at, so exactly one
/// node probes a service per interval.
/// </summary>
public sealed class HeartbeatMonitor(ScaiDbFactory factory, IHttpClientFactory http, RegistryOptions options, ILogger<HeartbeatMonitor> logger)
{
    /// <summary>The named HttpClient of the probes.</summary>
    public const string HttpClientName = "registry-probe";

    /// <summary>The system actor's job name.</summary>
    public const string SystemJob = "heartbeat-monitor";

    /// <summary>Runs one pass at <paramref name="now"/>: probes every due service once.</summary>
    public async Task<MonitorPass> RunOnceAsync(DateTimeOffset now, CancellationToken ct = default)
    {
        await using var db = await factory.ForSystemAsync(SystemJob, ct);
        var due = await db.RegisteredServices.AsNoTracking()
            .Where(s => s.RegistrationStatus != RegistrationStatus.Retired && s.NextProbeAt <= now)
            .OrderBy(s => s.NextProbeAt).Take(options.BatchSize)
            .Select(s => new { s.Id, s.NextProbeAt, s.HealthCheckUrl }).ToListAsync(ct);
        var claimed = new List<(string Id, string Url)>();
        var lease = now + options.ProbeTimeout + options.ProbeTimeout;
        foreach (var d in due)
        {
            // The claim: only the node whose UPDATE still sees the value it read probes this service now.
            var won = await db.RegisteredServices.Where(s => s.Id == d.Id && s.NextProbeAt == d.NextProbeAt)
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.NextProbeAt, lease), ct);
            if (won == 1)
            {
                claimed.Add((d.Id, d.HealthCheckUrl));
            }
        }

        var results = new Dictionary<string, ProbeResult>();
        await Parallel.ForEachAsync(claimed, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Parallelism), CancellationToken = ct }, async (c, token) =>
        {
            var r = await ProbeAsync(c.Url, token);
            lock (results)
            {
                results[c.Id] = r;
            }
        });

        var changed = 0;
        foreach (var (id, result) in results)
        {
            var service = await db.RegisteredServices.SingleOrDefaultAsync(s => s.Id == id, ct);
            if (service is null)
            {
                continue;
            }

            var (observation, reason) = Classify(service, result, now);
            var before = service.Observe(observation, reason, options.SuccessesBeforeHealthy, options.FailuresBeforeUnreachable, now);
            service.Probed(result.StatusCode, result.Error, now, now + NextDelay(service));
            if (before is { } from)
            {
                db.ServiceHealthEvents.Add(new ServiceHealthEvent(service, from, service.HealthStatus, reason, result.StatusCode, now));
                changed++;
                logger.LogInformation("Service {AppId} health {From} -> {To}: {Reason}", service.AppId, from, service.HealthStatus, reason);
            }

            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
        }

        return new MonitorPass(results.Count, changed);
    }

    /// <summary>
    /// One observation from a probe and the heartbeat: a failed probe is critical; a probe that answered with the
    /// heartbeat overdue (older than the TTL), the last heartbeat reporting degraded/unhealthy, or the probe body's
    /// "status" saying degraded is a warning; otherwise passing.
    /// </summary>
    public static (HealthObservation Observation, string Reason) Classify(RegisteredService service, ProbeResult probe, DateTimeOffset now)
    {
        if (!probe.Ok)
        {
            return (HealthObservation.Critical, probe.StatusCode is { } code ? $"health check answered HTTP {code}" : $"health check failed: {probe.Error}");
        }

        if (!service.HeartbeatFresh(now))
        {
            return (HealthObservation.Warning, $"heartbeat overdue (TTL {service.HeartbeatTtlSeconds} s)");
        }

        if (service.LastHeartbeatStatus is "degraded" or "unhealthy")
        {
            return (HealthObservation.Warning, $"service reports {service.LastHeartbeatStatus}");
        }

        if (probe.BodyStatus is "degraded" or "unhealthy" or "warn")
        {
            return (HealthObservation.Warning, $"health check reports {probe.BodyStatus}");
        }

        return (HealthObservation.Passing, "health check passing, heartbeat fresh");
    }

    private TimeSpan NextDelay(RegisteredService service)
    {
        // Back off only once the service is unreachable, so detection is not delayed: 2x, 4x, ... the interval, capped.
        var beyond = service.CriticalStreak - options.FailuresBeforeUnreachable;
        if (beyond < 0)
        {
            return options.ProbeInterval;
        }

        var factor = Math.Pow(2, Math.Min(beyond + 1, 20));
        var delay = TimeSpan.FromTicks((long)Math.Min(options.ProbeInterval.Ticks * factor, options.MaxBackoff.Ticks));
        return delay < options.ProbeInterval ? options.ProbeInterval : delay;
    }

    private async Task<ProbeResult> ProbeAsync(string url, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.ProbeTimeout);
        try
        {
            using var response = await http.CreateClient(HttpClientName).GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            string? bodyStatus = null;
            if (response.IsSuccessStatusCode && response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true)
            {
                try
                {
                    using var doc = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(timeout.Token), cancellationToken: timeout.Token);
                    if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String)
                    {
                        bodyStatus = s.GetString()?.ToLowerInvariant();
                    }
                }
                catch (JsonException)
                {
                    // A 2xx with a body that is not JSON still passes.
                }
            }

            return new ProbeResult(response.IsSuccessStatusCode, (int)response.StatusCode, response.IsSuccessStatusCode ? null : response.ReasonPhrase, bodyStatus);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new ProbeResult(false, null, $"no answer within {options.ProbeTimeout.TotalSeconds:0.###} s", null);
        }
        catch (HttpRequestException e)
        {
            return new ProbeResult(false, null, e.Message, null);
        }
    }
}

/// <summary>A probe's outcome: 2xx or not, the status (null: no answer), the error, and the JSON body's "status" if any.</summary>
public sealed record ProbeResult(bool Ok, int? StatusCode, string? Error, string? BodyStatus);

/// <summary>The heartbeat monitor on its schedule (Registry:MonitorInterval). Safe on several nodes (probes are claimed).</summary>
[DisallowConcurrentExecution]
public sealed class HeartbeatMonitorJob(HeartbeatMonitor monitor, TimeProvider clock) : IJob
{
    /// <inheritdoc/>
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await monitor.RunOnceAsync(clock.GetUtcNow(), cancellationToken);
}

/// <summary>Registers the registry's services and schedules the heartbeat monitor.</summary>
public static class RegistryRegistration
{
    /// <summary>Adds <see cref="RegistryOptions"/> (section "Registry"), <see cref="RegistryService"/>, <see cref="HeartbeatMonitor"/> and the probe client.</summary>
    public static IServiceCollection AddScaiRegistry(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("Registry").Get<RegistryOptions>() ?? new RegistryOptions();
        services.AddSingleton(options);
        services.AddHttpClient(HeartbeatMonitor.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        services.AddSingleton<RegistryService>();
        services.AddSingleton<HeartbeatMonitor>();
        return services;
    }

    /// <summary>Schedules <see cref="HeartbeatMonitorJob"/> every Registry:MonitorInterval unless Registry:MonitorEnabled is false.</summary>
    public static void ScheduleHeartbeatMonitor(IQuartzBuilder q, IConfiguration configuration)
    {
        var options = configuration.GetSection("Registry").Get<RegistryOptions>() ?? new RegistryOptions();
        if (!options.MonitorEnabled)
        {
            return;
        }

        q.ScheduleJob<HeartbeatMonitorJob>(
            t => t.WithIdentity("heartbeat-monitor").StartNow().WithSimpleSchedule(s => s.WithInterval(options.MonitorInterval).RepeatForever()),
            j => j.WithIdentity("heartbeat-monitor").DisallowConcurrentExecution());
    }
}

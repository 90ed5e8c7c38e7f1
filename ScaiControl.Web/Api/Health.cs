using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ScaiControl.Infrastructure.Distributed;
using ScaiControl.Infrastructure.Pdf;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Storage;

namespace ScaiControl.Web.Api;

/// <summary>
/// Health for load balancers and operators, all anonymous:
/// GET /health/live: 200 while the process serves requests (no dependency is asked);
/// GET /health/ready: each check with its status as JSON: database and object storage (unhealthy → 503: take the node
/// out), Redis when configured and the PDF renderer (degraded → still 200: requests succeed without them);
/// GET /healthz (kept for existing probes): {"status":"ok"|"degraded"|"unavailable", "database", "pdf_renderer"}.
/// </summary>
public static class Health
{
    /// <summary>The tag of the checks /health/ready runs.</summary>
    public const string ReadyTag = "ready";

    /// <summary>Registers the readiness checks (Redis only when Redis:Configuration is set).</summary>
    public static IServiceCollection AddScaiHealthChecks(this IServiceCollection services, IConfiguration configuration)
    {
        var checks = services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", HealthStatus.Unhealthy, [ReadyTag])
            .AddCheck<ObjectStorageHealthCheck>("object_storage", HealthStatus.Unhealthy, [ReadyTag])
            .AddCheck<PdfRendererHealthCheck>("pdf_renderer", HealthStatus.Degraded, [ReadyTag]);
        var redis = new RedisOptions();
        configuration.GetSection("Redis").Bind(redis);
        if (redis.Enabled)
        {
            checks.AddRedis(sp => sp.GetRequiredService<SharedRedis>().Multiplexer, "redis", HealthStatus.Degraded, [ReadyTag], TimeSpan.FromSeconds(2));
        }

        return services;
    }

    /// <summary>Maps /health/live, /health/ready and /healthz.</summary>
    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync }).AllowAnonymous().DisableRateLimiting();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync }).AllowAnonymous().DisableRateLimiting();
        app.MapGet("/healthz", async (ScaiDbFactory factory, IPdfRenderer pdf, CancellationToken ct) =>
        {
            await using var db = factory.ForPlatform("system:health");
            var database = await db.Database.CanConnectAsync(ct);
            var body = new Dictionary<string, object?>
            {
                ["status"] = database ? (pdf.UnavailableReason is null ? "ok" : "degraded") : "unavailable",
                ["database"] = database ? "ok" : "unreachable",
                ["database_provider"] = factory.Provider.ToString().ToLowerInvariant(),
                ["pdf_renderer"] = pdf.UnavailableReason is null ? "ok" : pdf.UnavailableReason,
            };
            return TypedResults.Json(body, statusCode: database ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        }).AllowAnonymous().WithName("Health").WithSummary("Liveness and readiness (legacy; see /health/ready)").WithTags("Health");
    }

    /// <summary>{"status":"healthy|degraded|unhealthy","checks":{"database":{"status":…,"description":…,"duration_ms":…},…}}.</summary>
    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        static string Name(HealthStatus s) => s.ToString().ToLowerInvariant();
        var body = new
        {
            status = Name(report.Status),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = Name(e.Value.Status),
                description = e.Value.Description ?? e.Value.Exception?.Message,
                duration_ms = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
            }),
        };
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }

    private sealed class DatabaseHealthCheck(ScaiDbFactory factory) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            await using var db = factory.ForPlatform("system:health");
            var provider = factory.Provider.ToString().ToLowerInvariant();
            return await db.Database.CanConnectAsync(cancellationToken)
                ? HealthCheckResult.Healthy(provider)
                : new HealthCheckResult(context.Registration.FailureStatus, $"{provider}: the database does not answer");
        }
    }

    private sealed class ObjectStorageHealthCheck(IObjectStorage storage) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            await storage.IsReachableAsync(cancellationToken)
                ? HealthCheckResult.Healthy(storage.GetType().Name)
                : new HealthCheckResult(context.Registration.FailureStatus, $"{storage.GetType().Name}: not reachable or not writable");
    }

    private sealed class PdfRendererHealthCheck(IPdfRenderer pdf) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(pdf.UnavailableReason is { } reason
                ? new HealthCheckResult(context.Registration.FailureStatus, reason)
                : HealthCheckResult.Healthy("chromium"));
    }
}

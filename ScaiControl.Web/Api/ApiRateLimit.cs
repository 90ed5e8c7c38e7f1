using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using ScaiControl.Infrastructure.Distributed;
using ScaiControl.Web.Auth;

namespace ScaiControl.Web.Api;

/// <summary>
/// The API rate limit: RateLimiting:PermitLimit requests per RateLimiting:Window on /api for each tenant (the token's
/// tenant_id; the user for callers without a tenant, the client address for anonymous calls). Over the limit: 429
/// problem+json with Retry-After. Counted in Redis (one limit across all nodes) when Redis is configured, per node
/// otherwise or while Redis is unreachable (<see cref="IRateLimitCounters"/>).
/// </summary>
public static class ApiRateLimit
{
    /// <summary>Registers the limiter.</summary>
    public static IServiceCollection AddScaiRateLimiting(this IServiceCollection services)
    {
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (context, ct) =>
            {
                var http = context.HttpContext;
                // The in-process limiter knows when its window ends; the Redis one does not say: then the window is the bound.
                var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : http.RequestServices.GetRequiredService<RateLimitOptions>().Window;
                http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails = { Status = 429, Title = "Too many requests", Detail = "The API rate limit of this tenant is used up for now; retry after the time in Retry-After." },
                });
            };
        });
        services.AddSingleton<IConfigureOptions<RateLimiterOptions>>(sp => new ConfigureOptions<RateLimiterOptions>(o =>
        {
            var counters = sp.GetRequiredService<IRateLimitCounters>();
            var limits = sp.GetRequiredService<RateLimitOptions>();
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                limits.PermitLimit <= 0 || !http.Request.Path.StartsWithSegments("/api")
                    ? RateLimitPartition.GetNoLimiter("unlimited")
                    : counters.For(PartitionOf(http)));
        }));
        return services;
    }

    /// <summary>"tenant:&lt;id&gt;", "user:&lt;sub&gt;" or "ip:&lt;address&gt;".</summary>
    public static string PartitionOf(HttpContext http)
    {
        var actor = http.User.ToActor();
        return actor.TenantId is { } tenant ? "tenant:" + tenant
            : actor.IsAuthenticated ? "user:" + actor.UserId
            : "ip:" + http.Connection.RemoteIpAddress;
    }
}

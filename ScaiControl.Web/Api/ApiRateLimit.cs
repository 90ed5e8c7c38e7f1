using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using ScaiControl.Infrastructure.Distributed;
using ScaiControl.Web.Auth;

namespace ScaiControl.Web.Api;

/// <summary>
/// The API rate limits (issue 11, "Rate limits"), all fixed windows of RateLimiting:Window on /api, chained so every
/// one that applies must allow a request:
/// <list type="bullet">
/// <item>the tenant's limit (the token's or key's tenant_id; the user for callers without a tenant, the client
/// address for anonymous calls): RateLimiting:Tiers[tier] for the caller's tier claim, else RateLimiting:PermitLimit;</item>
/// <item>usage ingestion (RateLimiting:UsagePathPrefix) counts against its own per-tenant budget,
/// RateLimiting:UsagePermitLimit, instead of the tenant's API limit;</item>
/// <item>each API key's own limit, RateLimiting:KeyPermitLimit;</item>
/// <item>a global limit over all callers, RateLimiting:GlobalPermitLimit (0 = none).</item>
/// </list>
/// Over a limit: 429 problem+json with Retry-After and RateLimit-Limit / RateLimit-Remaining / RateLimit-Reset /
/// RateLimit-Policy; every limited response carries RateLimit-Limit, RateLimit-Remaining and RateLimit-Policy of the
/// tightest limit. Counted in Redis (one limit across all nodes) when Redis is configured, per node otherwise or while
/// Redis is unreachable (<see cref="IRateLimitCounters"/>). RateLimiting:PermitLimit = 0 turns all of it off.
/// </summary>
public static class ApiRateLimit
{
    /// <summary>Registers the limiter (the app's global limiter) and <see cref="ScaiRateLimiter"/>.</summary>
    public static IServiceCollection AddScaiRateLimiting(this IServiceCollection services)
    {
        services.AddSingleton<ScaiRateLimiter>();
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (context, ct) =>
            {
                var http = context.HttpContext;
                // The in-process limiter knows when its window ends; the Redis one does not say: then the window is the bound.
                var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : http.RequestServices.GetRequiredService<RateLimitOptions>().Window;
                var seconds = Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                http.Response.Headers.RetryAfter = seconds;
                http.Response.Headers["RateLimit-Reset"] = seconds;
                http.Response.Headers["RateLimit-Remaining"] = "0";

                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails = { Status = 429, Title = "Too many requests", Detail = "An API rate limit (this tenant's, this API key's or the service's) is used up for now; retry after the time in Retry-After." },
                });
            };
        });
        services.AddSingleton<IConfigureOptions<RateLimiterOptions>>(sp => new ConfigureOptions<RateLimiterOptions>(o => o.GlobalLimiter = sp.GetRequiredService<ScaiRateLimiter>().Limiter));
        return services;
    }

    /// <summary>Adds the RateLimit-Limit, RateLimit-Remaining and RateLimit-Policy headers to every limited /api response (after UseRateLimiter).</summary>
    public static IApplicationBuilder UseRateLimitHeaders(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        var limiter = http.RequestServices.GetRequiredService<ScaiRateLimiter>();
        if (limiter.TightestLimit(http) is { } limit)
        {
            http.Response.OnStarting(() =>
            {
                var headers = http.Response.Headers;
                headers["RateLimit-Limit"] = limit.ToString(CultureInfo.InvariantCulture);
                headers["RateLimit-Policy"] = FormattableString.Invariant($"{limit};w={(int)limiter.Options.Window.TotalSeconds}");
                if (!headers.ContainsKey("RateLimit-Remaining") && limiter.Remaining(http) is { } remaining)
                {
                    headers["RateLimit-Remaining"] = Math.Max(0, remaining).ToString(CultureInfo.InvariantCulture);
                }

                return Task.CompletedTask;
            });
        }

        return next(http);
    });

    /// <summary>"tenant:&lt;id&gt;", "user:&lt;sub&gt;" or "ip:&lt;address&gt;".</summary>
    public static string PartitionOf(HttpContext http)
    {
        var actor = http.User.ToActor();
        return actor.TenantId is { } tenant ? "tenant:" + tenant
            : actor.IsAuthenticated ? "user:" + actor.UserId
            : "ip:" + http.Connection.RemoteIpAddress;
    }
}

/// <summary>
/// The chained limiter of <see cref="ApiRateLimit"/>: tenant (or usage) budget, API key, global. Also answers what the
/// response headers say: the tightest applicable limit and how much of it is left.
/// </summary>
public sealed class ScaiRateLimiter
{
    private readonly IRateLimitCounters _counters;

    /// <summary>Builds the chain from the options and counters.</summary>
    public ScaiRateLimiter(IRateLimitCounters counters, RateLimitOptions options)
    {
        _counters = counters;
        Options = options;
        var tenant = PartitionedRateLimiter.Create<HttpContext, string>(http => Limited(http) ? Tenant(http) : RateLimitPartition.GetNoLimiter("unlimited"));
        var key = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            Limited(http) && options.KeyPermitLimit > 0 && KeyOf(http) is { } k ? counters.For("apikey:" + k, options.KeyPermitLimit) : RateLimitPartition.GetNoLimiter("unlimited"));
        var global = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            Limited(http) && options.GlobalPermitLimit > 0 ? counters.For("global", options.GlobalPermitLimit) : RateLimitPartition.GetNoLimiter("unlimited"));
        Limiter = PartitionedRateLimiter.CreateChained(tenant, key, global);
    }

    /// <summary>The options in force.</summary>
    public RateLimitOptions Options { get; }

    /// <summary>The app's global limiter.</summary>
    public PartitionedRateLimiter<HttpContext> Limiter { get; }

    /// <summary>The smallest limit that applies to the request, or null when none does.</summary>
    public int? TightestLimit(HttpContext http)
    {
        if (!Limited(http))
        {
            return null;
        }

        var limits = new List<int> { TenantLimit(http) };
        if (Options.KeyPermitLimit > 0 && KeyOf(http) is not null)
        {
            limits.Add(Options.KeyPermitLimit);
        }

        if (Options.GlobalPermitLimit > 0)
        {
            limits.Add(Options.GlobalPermitLimit);
        }

        return limits.Min();
    }

    /// <summary>What is left of the chain for this request (the lowest of the limiters), or null when the counters don't say (Redis).</summary>
    public long? Remaining(HttpContext http)
    {
        try
        {
            return Limiter.GetStatistics(http)?.CurrentAvailablePermits;
        }
        catch (NotImplementedException)
        {
            return null;
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }

    private bool Limited(HttpContext http) => Options.PermitLimit > 0 && http.Request.Path.StartsWithSegments("/api");

    private bool IsUsage(HttpContext http) => http.Request.Path.StartsWithSegments(Options.UsagePathPrefix);

    private int TenantLimit(HttpContext http) => IsUsage(http) ? Options.UsagePermitLimit : Options.LimitForTier(http.User.FindFirst(Options.TierClaim)?.Value);

    private RateLimitPartition<string> Tenant(HttpContext http) =>
        _counters.For((IsUsage(http) ? "usage:" : "") + ApiRateLimit.PartitionOf(http), TenantLimit(http));

    private static string? KeyOf(HttpContext http) =>
        http.User.FindFirst(ApiKeyAuthenticationHandler.AuthMethodClaim)?.Value == "api_key" ? http.User.FindFirst(ScaiClaims.Subject)?.Value : null;
}

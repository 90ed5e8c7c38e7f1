using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using RedisRateLimiting;

namespace ScaiControl.Infrastructure.Distributed;

/// <summary>
/// API rate limit settings: RateLimiting:PermitLimit requests per RateLimiting:Window for each tenant (each user
/// when the caller has no tenant, e.g. the operator). PermitLimit 0 turns the limit off.
/// </summary>
public sealed class RateLimitOptions
{
    /// <summary>Requests allowed per window for each tenant (each user without a tenant) on the default tier (default 1200; 0 = no limit at all).</summary>
    public int PermitLimit { get; set; } = 1200;

    /// <summary>The fixed window (default one minute).</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Per-tier tenant limits (tier name → requests per window), the tier taken from the caller's <see cref="TierClaim"/>; an unknown or missing tier gets <see cref="PermitLimit"/>.</summary>
    public Dictionary<string, int> Tiers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The claim naming the caller's plan tier (spec 003: the org context carries "tier").</summary>
    public string TierClaim { get; set; } = "tier";

    /// <summary>Requests per window for each API key, on top of its tenant's limit (default 600; 0 = none of its own).</summary>
    public int KeyPermitLimit { get; set; } = 600;

    /// <summary>Requests per window for the whole API across all callers, on top of every other limit (default 0 = none).</summary>
    public int GlobalPermitLimit { get; set; }

    /// <summary>Usage ingestion's own budget per tenant (requests per window, default 6000), counted apart from the rest of the API.</summary>
    public int UsagePermitLimit { get; set; } = 6000;

    /// <summary>The paths that count against <see cref="UsagePermitLimit"/> (default /api/v1/usage).</summary>
    public string UsagePathPrefix { get; set; } = "/api/v1/usage";

    /// <summary>The tenant limit for <paramref name="tier"/>.</summary>
    public int LimitForTier(string? tier) => tier is not null && Tiers.TryGetValue(tier, out var limit) ? limit : PermitLimit;
}

/// <summary>The counters behind the API rate limits: one limiter per partition, per node or shared by all nodes.</summary>
public interface IRateLimitCounters
{
    /// <summary>The limiter partition for <paramref name="partitionKey"/> (e.g. "tenant:ten_…") allowing <paramref name="permitLimit"/> per window.</summary>
    RateLimitPartition<string> For(string partitionKey, int permitLimit);
}

/// <summary>Counters in this process (no Redis): a limit per node.</summary>
public sealed class LocalRateLimitCounters(RateLimitOptions options) : IRateLimitCounters
{
    /// <inheritdoc/>
    public RateLimitPartition<string> For(string partitionKey, int permitLimit) =>
        RateLimitPartition.GetFixedWindowLimiter(partitionKey + "#" + permitLimit, _ => Local(options, permitLimit));

    /// <summary>The in-process fixed window of <paramref name="options"/> with <paramref name="permitLimit"/> (no queue: over the limit is refused at once).</summary>
    public static FixedWindowRateLimiterOptions Local(RateLimitOptions options, int permitLimit) =>
        new() { PermitLimit = permitLimit, Window = options.Window, QueueLimit = 0, AutoReplenishment = true };
}

/// <summary>
/// Counters in Redis (RedisRateLimiting's fixed window): one limit per tenant across all nodes. While Redis is
/// unreachable each node counts for itself (<see cref="FallbackRateLimiter"/>), so requests are never refused for an outage.
/// </summary>
public sealed class RedisRateLimitCounters(SharedRedis redis, RateLimitOptions options, ILogger<RedisRateLimitCounters> logger) : IRateLimitCounters
{
    /// <inheritdoc/>
    public RateLimitPartition<string> For(string partitionKey, int permitLimit) => RateLimitPartition.Get(partitionKey + "#" + permitLimit, _ => new FallbackRateLimiter(
        new RedisFixedWindowRateLimiter<string>(redis.Options.KeyPrefix + "ratelimit:" + partitionKey, new RedisFixedWindowRateLimiterOptions
        {
            ConnectionMultiplexerFactory = () => redis.Multiplexer,
            PermitLimit = permitLimit,
            Window = options.Window,
        }),
        new FixedWindowRateLimiter(LocalRateLimitCounters.Local(options, permitLimit)),
        logger));
}

/// <summary>A limiter that asks <paramref name="primary"/> (Redis) and, when it fails with an outage, <paramref name="fallback"/> (this node).</summary>
public sealed class FallbackRateLimiter(RateLimiter primary, RateLimiter fallback, ILogger logger) : RateLimiter
{
    /// <inheritdoc/>
    public override TimeSpan? IdleDuration => primary.IdleDuration is { } a && fallback.IdleDuration is { } b ? (a < b ? a : b) : null;

    /// <inheritdoc/>
    public override RateLimiterStatistics? GetStatistics() => primary.GetStatistics();

    /// <inheritdoc/>
    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        try
        {
            return primary.AttemptAcquire(permitCount);
        }
        catch (Exception e) when (SharedRedis.IsOutage(e))
        {
            logger.LogDebug(e, "Rate limit counted on this node (Redis unreachable)");
            return fallback.AttemptAcquire(permitCount);
        }
    }

    /// <inheritdoc/>
    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        try
        {
            return await primary.AcquireAsync(permitCount, cancellationToken);
        }
        catch (Exception e) when (SharedRedis.IsOutage(e))
        {
            logger.LogDebug(e, "Rate limit counted on this node (Redis unreachable)");
            return await fallback.AcquireAsync(permitCount, cancellationToken);
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            primary.Dispose();
            fallback.Dispose();
        }

        base.Dispose(disposing);
    }
}

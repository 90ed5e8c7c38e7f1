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
    /// <summary>Requests allowed per window and partition (default 1200; 0 = no limit).</summary>
    public int PermitLimit { get; set; } = 1200;

    /// <summary>The fixed window (default one minute).</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>The counters behind the API rate limit: one limiter per partition (tenant), per node or shared by all nodes.</summary>
public interface IRateLimitCounters
{
    /// <summary>The limiter partition for <paramref name="partitionKey"/> (e.g. "tenant:ten_…").</summary>
    RateLimitPartition<string> For(string partitionKey);
}

/// <summary>Counters in this process (no Redis): a limit per node.</summary>
public sealed class LocalRateLimitCounters(RateLimitOptions options) : IRateLimitCounters
{
    /// <inheritdoc/>
    public RateLimitPartition<string> For(string partitionKey) => RateLimitPartition.GetFixedWindowLimiter(partitionKey, _ => Local(options));

    /// <summary>The in-process fixed window of <paramref name="options"/> (no queue: over the limit is refused at once).</summary>
    public static FixedWindowRateLimiterOptions Local(RateLimitOptions options) =>
        new() { PermitLimit = options.PermitLimit, Window = options.Window, QueueLimit = 0, AutoReplenishment = true };
}

/// <summary>
/// Counters in Redis (RedisRateLimiting's fixed window): one limit per tenant across all nodes. While Redis is
/// unreachable each node counts for itself (<see cref="FallbackRateLimiter"/>), so requests are never refused for an outage.
/// </summary>
public sealed class RedisRateLimitCounters(SharedRedis redis, RateLimitOptions options, ILogger<RedisRateLimitCounters> logger) : IRateLimitCounters
{
    /// <inheritdoc/>
    public RateLimitPartition<string> For(string partitionKey) => RateLimitPartition.Get(partitionKey, key => new FallbackRateLimiter(
        new RedisFixedWindowRateLimiter<string>(redis.Options.KeyPrefix + "ratelimit:" + key, new RedisFixedWindowRateLimiterOptions
        {
            ConnectionMultiplexerFactory = () => redis.Multiplexer,
            PermitLimit = options.PermitLimit,
            Window = options.Window,
        }),
        new FixedWindowRateLimiter(LocalRateLimitCounters.Local(options)),
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

using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace ScaiControl.Infrastructure.Distributed;

/// <summary>
/// Redis settings: Redis:Configuration (a StackExchange.Redis configuration string, e.g. "redis1:6379,password=…";
/// unset = no Redis, every feature works in-process on one node), Redis:KeyPrefix, Redis:LocalCacheFor.
/// </summary>
public sealed class RedisOptions
{
    /// <summary>The StackExchange.Redis configuration string; null or empty turns Redis off.</summary>
    public string? Configuration { get; set; }

    /// <summary>Prefix of every key and channel this app uses (several deployments can share one Redis).</summary>
    public string KeyPrefix { get; set; } = "scai:";

    /// <summary>
    /// How long a node keeps a shared-cache entry in its own memory (pub/sub invalidation removes it sooner; this
    /// bounds staleness when an invalidation message is lost while Redis is unreachable).
    /// </summary>
    public TimeSpan LocalCacheFor { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>True when <see cref="Configuration"/> is set.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Configuration);
}

/// <summary>
/// The one Redis connection of a node, shared by the data-protection key ring, the shared cache, progress, idempotency
/// and rate limiting. Never aborts on a failed connect and fails commands fast while disconnected (no backlog), so a
/// Redis outage shows as exceptions the features turn into their in-process fallback instead of slow requests; it
/// reconnects by itself and raises <see cref="Restored"/>.
/// </summary>
public sealed class SharedRedis : IDisposable
{
    private readonly ILogger<SharedRedis> _logger;

    /// <summary>Connects (without waiting for Redis to be reachable).</summary>
    public SharedRedis(RedisOptions options, ILogger<SharedRedis> logger)
    {
        _logger = logger;
        Options = options;
        var config = ConfigurationOptions.Parse(options.Configuration ?? throw new InvalidOperationException("Redis:Configuration is not set."));
        config.AbortOnConnectFail = false;
        config.BacklogPolicy = BacklogPolicy.FailFast;
        config.ConnectTimeout = Math.Min(config.ConnectTimeout, 2000);
        config.SyncTimeout = Math.Min(config.SyncTimeout, 2000);
        config.AsyncTimeout = Math.Min(config.AsyncTimeout, 2000);
        config.ReconnectRetryPolicy = new LinearRetry(500);
        config.ClientName ??= "scaicontrol-" + NodeId;
        Multiplexer = ConnectionMultiplexer.Connect(config);
        Multiplexer.ConnectionFailed += (_, e) => _logger.LogWarning("Redis connection lost ({FailureType}): shared cache, progress, idempotency and rate limits fall back to this node", e.FailureType);
        Multiplexer.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Interactive)
            {
                _logger.LogInformation("Redis connection restored");
                Restored?.Invoke();
            }
        };
    }

    /// <summary>The settings.</summary>
    public RedisOptions Options { get; }

    /// <summary>This process's id among the nodes (messages a node published itself are recognised by it).</summary>
    public string NodeId { get; } = Guid.NewGuid().ToString("N")[..12];

    /// <summary>The connection.</summary>
    public IConnectionMultiplexer Multiplexer { get; }

    /// <summary>True while the interactive connection is up.</summary>
    public bool IsConnected => Multiplexer.IsConnected;

    /// <summary>Raised when the connection comes back after a failure (on a thread pool thread).</summary>
    public event Action? Restored;

    /// <summary>The database.</summary>
    public IDatabase Database => Multiplexer.GetDatabase();

    /// <summary>A key under <see cref="RedisOptions.KeyPrefix"/>.</summary>
    public RedisKey Key(string name) => Options.KeyPrefix + name;

    /// <summary>A literal channel under <see cref="RedisOptions.KeyPrefix"/>.</summary>
    public RedisChannel Channel(string name) => RedisChannel.Literal(Options.KeyPrefix + name);

    /// <summary>True for the exceptions a Redis outage produces (connection, timeout, server errors).</summary>
    public static bool IsOutage(Exception e) => e is RedisException or TimeoutException or ObjectDisposedException;

    /// <inheritdoc/>
    public void Dispose() => Multiplexer.Dispose();
}

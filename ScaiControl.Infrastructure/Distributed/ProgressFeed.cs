using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace ScaiControl.Infrastructure.Distributed;

/// <summary>
/// Live progress of long work (billing runs; provisioning runs later) for whoever watches it, on any node when Redis
/// is configured. Best effort: a lost message only delays what a watcher shows, the database stays the record
/// (watchers also re-read it on a slow timer).
/// </summary>
public interface IProgressFeed
{
    /// <summary>Publishes <paramref name="payload"/> (JSON) on <paramref name="topic"/> (e.g. "billing-run:run_…"). Never throws for a Redis outage.</summary>
    Task PublishAsync(string topic, string payload, CancellationToken ct = default);

    /// <summary>Calls <paramref name="onUpdate"/> with each payload published on <paramref name="topic"/> until the result is disposed.</summary>
    IDisposable Subscribe(string topic, Action<string> onUpdate);
}

/// <summary>Progress within one process (no Redis): subscribers on this node see what this node publishes.</summary>
public class LocalProgressFeed(ILogger<LocalProgressFeed> logger) : IProgressFeed
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Guid, Action<string>>> _subscribers = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public virtual Task PublishAsync(string topic, string payload, CancellationToken ct = default)
    {
        Deliver(topic, payload);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public IDisposable Subscribe(string topic, Action<string> onUpdate)
    {
        var id = Guid.NewGuid();
        _subscribers.GetOrAdd(topic, _ => new ConcurrentDictionary<Guid, Action<string>>())[id] = onUpdate;
        return new Unsubscriber(() =>
        {
            if (_subscribers.TryGetValue(topic, out var handlers))
            {
                handlers.TryRemove(id, out _);
            }
        });
    }

    /// <summary>Hands <paramref name="payload"/> to this node's subscribers of <paramref name="topic"/>.</summary>
    protected void Deliver(string topic, string payload)
    {
        if (!_subscribers.TryGetValue(topic, out var handlers))
        {
            return;
        }

        foreach (var handler in handlers.Values)
        {
            try
            {
                handler(payload);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "A progress subscriber of {Topic} failed", topic);
            }
        }
    }

    private sealed class Unsubscriber(Action dispose) : IDisposable
    {
        private Action? _dispose = dispose;

        public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
    }
}

/// <summary>
/// Progress across nodes: delivered to this node's subscribers at once, and published on the Redis channel
/// "progress" for the others (a node ignores its own messages). While Redis is down, progress stays local.
/// </summary>
public sealed class RedisProgressFeed : LocalProgressFeed
{
    private const string ChannelName = "progress";
    private readonly SharedRedis _redis;
    private readonly ILogger<LocalProgressFeed> _logger;
    private int _subscribed;

    /// <summary>Subscribes to the channel (again after a reconnect, when the first attempt failed).</summary>
    public RedisProgressFeed(SharedRedis redis, ILogger<LocalProgressFeed> logger) : base(logger)
    {
        _redis = redis;
        _logger = logger;
        _redis.Restored += Listen;
        Listen();
    }

    /// <inheritdoc/>
    public override async Task PublishAsync(string topic, string payload, CancellationToken ct = default)
    {
        Deliver(topic, payload);
        try
        {
            var message = JsonSerializer.Serialize(new Message(_redis.NodeId, topic, payload));
            await _redis.Multiplexer.GetSubscriber().PublishAsync(_redis.Channel(ChannelName), message);
        }
        catch (Exception e) when (SharedRedis.IsOutage(e))
        {
            _logger.LogDebug(e, "Progress of {Topic} stays on this node (Redis unreachable)", topic);
        }
    }

    private void Listen()
    {
        if (Interlocked.CompareExchange(ref _subscribed, 1, 0) != 0)
        {
            return;
        }

        try
        {
            _redis.Multiplexer.GetSubscriber().Subscribe(_redis.Channel(ChannelName), (_, value) =>
            {
                var message = JsonSerializer.Deserialize<Message>((string)value!);
                if (message is not null && message.Node != _redis.NodeId)
                {
                    Deliver(message.Topic, message.Payload);
                }
            });
        }
        catch (Exception e) when (SharedRedis.IsOutage(e))
        {
            Interlocked.Exchange(ref _subscribed, 0);
            _logger.LogWarning(e, "Could not subscribe to progress yet; retried when Redis is back");
        }
    }

    private sealed record Message(string Node, string Topic, string Payload);
}

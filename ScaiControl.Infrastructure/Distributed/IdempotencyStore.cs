using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace ScaiControl.Infrastructure.Distributed;

/// <summary>The first response to a request with an Idempotency-Key, kept for replay.</summary>
/// <param name="Fingerprint">Hash of method, path and body of the first request (a reuse with another request is refused).</param>
/// <param name="Status">HTTP status.</param>
/// <param name="ContentType">Content-Type, if any.</param>
/// <param name="Location">Location header, if any.</param>
/// <param name="Body">Response body bytes.</param>
public sealed record StoredResponse(string Fingerprint, int Status, string? ContentType, string? Location, byte[] Body);

/// <summary>What <see cref="IIdempotencyStore.TryBeginAsync"/> found.</summary>
/// <param name="Started">True: this request owns the key and must complete or release it.</param>
/// <param name="Fingerprint">For a key in use: the fingerprint of the request that holds it.</param>
/// <param name="Response">For a completed key: the response to replay.</param>
public sealed record IdempotencyBegin(bool Started, string? Fingerprint, StoredResponse? Response);

/// <summary>
/// Idempotency keys of API requests (the IETF Idempotency-Key header): the first request with a key takes it, a
/// concurrent one finds it in progress (409), a later one finds the stored response (replayed for its TTL).
/// Shared by all nodes when Redis is configured.
/// </summary>
public interface IIdempotencyStore
{
    /// <summary>Takes <paramref name="key"/> for <paramref name="lockFor"/>, or reports who holds it or what it answered.</summary>
    Task<IdempotencyBegin> TryBeginAsync(string key, string fingerprint, TimeSpan lockFor, CancellationToken ct = default);

    /// <summary>Stores the response of the request that took <paramref name="key"/>, for <paramref name="keepFor"/>.</summary>
    Task CompleteAsync(string key, StoredResponse response, TimeSpan keepFor, CancellationToken ct = default);

    /// <summary>Frees <paramref name="key"/> without a response (the request failed; a retry runs again).</summary>
    Task ReleaseAsync(string key, CancellationToken ct = default);
}

/// <summary>Keys in this process's memory (no Redis, or Redis down): one node's view.</summary>
public sealed class LocalIdempotencyStore(TimeProvider clock) : IIdempotencyStore
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public Task<IdempotencyBegin> TryBeginAsync(string key, string fingerprint, TimeSpan lockFor, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        Sweep(now);
        var mine = new Entry(fingerprint, null, now + lockFor);
        while (true)
        {
            if (_entries.TryAdd(key, mine))
            {
                return Task.FromResult(new IdempotencyBegin(true, null, null));
            }

            if (_entries.TryGetValue(key, out var held))
            {
                if (held.Expires <= now)
                {
                    _entries.TryRemove(new KeyValuePair<string, Entry>(key, held));
                    continue;
                }

                return Task.FromResult(new IdempotencyBegin(false, held.Fingerprint, held.Response));
            }
        }
    }

    /// <summary>The stored response of <paramref name="key"/>, if this node holds one.</summary>
    public StoredResponse? Find(string key) =>
        _entries.TryGetValue(key, out var e) && e.Response is not null && e.Expires > clock.GetUtcNow() ? e.Response : null;

    /// <inheritdoc/>
    public Task CompleteAsync(string key, StoredResponse response, TimeSpan keepFor, CancellationToken ct = default)
    {
        _entries[key] = new Entry(response.Fingerprint, response, clock.GetUtcNow() + keepFor);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task ReleaseAsync(string key, CancellationToken ct = default)
    {
        _entries.TryRemove(key, out _);
        return Task.CompletedTask;
    }

    private void Sweep(DateTimeOffset now)
    {
        if (_entries.Count < 10_000)
        {
            return;
        }

        foreach (var (key, entry) in _entries)
        {
            if (entry.Expires <= now)
            {
                _entries.TryRemove(key, out _);
            }
        }
    }

    private sealed record Entry(string Fingerprint, StoredResponse? Response, DateTimeOffset Expires);
}

/// <summary>
/// Keys in Redis (SET NX with the lock TTL, then the response with the keep TTL), shared by all nodes. When Redis
/// is unreachable it falls back to this node's memory: requests still succeed, duplicates are caught per node only.
/// </summary>
public sealed class RedisIdempotencyStore(SharedRedis redis, LocalIdempotencyStore local, ILogger<RedisIdempotencyStore> logger) : IIdempotencyStore
{
    private const string Pending = "pending:";

    /// <inheritdoc/>
    public async Task<IdempotencyBegin> TryBeginAsync(string key, string fingerprint, TimeSpan lockFor, CancellationToken ct = default)
    {
        if (local.Find(key) is { } kept)
        {
            return new IdempotencyBegin(false, kept.Fingerprint, kept); // completed here while Redis was down
        }

        try
        {
            var k = redis.Key("idem:" + key);
            for (var attempt = 0; attempt < 3; attempt++)
            {
                if (await redis.Database.StringSetAsync(k, Pending + fingerprint, lockFor, When.NotExists))
                {
                    return new IdempotencyBegin(true, null, null);
                }

                var held = await redis.Database.StringGetAsync(k);
                if (!held.HasValue)
                {
                    continue; // expired or released in between
                }

                var text = (string)held!;
                return text.StartsWith(Pending, StringComparison.Ordinal)
                    ? new IdempotencyBegin(false, text[Pending.Length..], null)
                    : JsonSerializer.Deserialize<StoredResponse>(text) is { } response
                        ? new IdempotencyBegin(false, response.Fingerprint, response)
                        : new IdempotencyBegin(false, null, null);
            }

            return new IdempotencyBegin(false, fingerprint, null);
        }
        catch (Exception e) when (SharedRedis.IsOutage(e))
        {
            logger.LogWarning(e, "Idempotency key {Key} checked on this node only (Redis unreachable)", key);
            return await local.TryBeginAsync(key, fingerprint, lockFor, ct);
        }
    }

    /// <inheritdoc/>
    public async Task CompleteAsync(string key, StoredResponse response, TimeSpan keepFor, CancellationToken ct = default)
    {
        try
        {
            await redis.Database.StringSetAsync(redis.Key("idem:" + key), JsonSerializer.Serialize(response), keepFor);
            await local.ReleaseAsync(key, ct);
        }
        catch (Exception e) when (SharedRedis.IsOutage(e))
        {
            logger.LogWarning(e, "Response for idempotency key {Key} kept on this node only (Redis unreachable)", key);
            await local.CompleteAsync(key, response, keepFor, ct);
        }
    }

    /// <inheritdoc/>
    public async Task ReleaseAsync(string key, CancellationToken ct = default)
    {
        await local.ReleaseAsync(key, ct);
        try
        {
            await redis.Database.KeyDeleteAsync(redis.Key("idem:" + key));
        }
        catch (Exception e) when (SharedRedis.IsOutage(e))
        {
            logger.LogWarning(e, "Could not release idempotency key {Key}; it expires by itself", key);
        }
    }
}

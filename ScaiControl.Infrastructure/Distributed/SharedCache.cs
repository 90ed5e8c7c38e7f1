using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;

namespace ScaiControl.Infrastructure.Distributed;

/// <summary>
/// A cache of values read from a slower source (secret store, catalog tables, JWKS documents), shared by all nodes
/// when Redis is configured. <see cref="InvalidateAsync"/> is called by whoever changes the source; every node drops
/// the entry. A cache failure is never an error: the value is read from the source instead.
/// </summary>
public interface ISharedCache
{
    /// <summary>The cached value of <paramref name="key"/>, or the value <paramref name="load"/> reads (then cached for <paramref name="ttl"/>).</summary>
    /// <param name="key">The entry's key (e.g. "secret:&lt;path&gt;", "catalog:v1").</param>
    /// <param name="load">Reads the value from the source on a miss.</param>
    /// <param name="ttl">How long the entry lives in the cache.</param>
    /// <param name="sensitive">The value is a secret: encrypted with the data-protection key ring before it leaves the process.</param>
    /// <param name="ct">Cancellation.</param>
    Task<T> GetOrCreateAsync<T>(string key, Func<CancellationToken, Task<T>> load, TimeSpan ttl, bool sensitive = false, CancellationToken ct = default);

    /// <summary>Drops <paramref name="key"/> on every node (the source changed).</summary>
    Task InvalidateAsync(string key, CancellationToken ct = default);
}

/// <summary>The in-process cache of one node (no Redis): entries expire after their TTL or on invalidation.</summary>
public sealed class LocalSharedCache : ISharedCache, IDisposable
{
    private readonly MemoryCache _memory = new(new MemoryCacheOptions());

    /// <inheritdoc/>
    public async Task<T> GetOrCreateAsync<T>(string key, Func<CancellationToken, Task<T>> load, TimeSpan ttl, bool sensitive = false, CancellationToken ct = default)
    {
        if (_memory.TryGetValue(key, out T? hit))
        {
            return hit!;
        }

        var value = await load(ct);
        _memory.Set(key, value, ttl);
        return value;
    }

    /// <inheritdoc/>
    public Task InvalidateAsync(string key, CancellationToken ct = default)
    {
        _memory.Remove(key);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public void Dispose() => _memory.Dispose();
}

/// <summary>
/// Two tiers: each node's memory (for at most Redis:LocalCacheFor) in front of Redis (for the entry's TTL).
/// Invalidation deletes the Redis entry and publishes the key on the "cache-invalidate" channel; every node removes
/// it from memory. While Redis is unreachable the memory tier is bypassed (an invalidation could be missed) and every
/// read goes to the source; when the connection returns, each node empties its memory tier.
/// </summary>
public sealed class RedisSharedCache : ISharedCache, IDisposable
{
    private const string InvalidateChannel = "cache-invalidate";
    private readonly SharedRedis _redis;
    private readonly Microsoft.Extensions.Caching.Distributed.IDistributedCache _store;
    private readonly ILogger<RedisSharedCache> _logger;
    private readonly IDataProtector _protector;
    private readonly MemoryCache _memory = new(new MemoryCacheOptions());
    private int _subscribed;

    /// <summary>Subscribes to invalidations (again after a reconnect, when the first attempt failed).</summary>
    /// <param name="redis">The connection (pub/sub, state).</param>
    /// <param name="store">The Redis tier: Microsoft.Extensions.Caching.StackExchangeRedis on the same connection.</param>
    /// <param name="protection">Encrypts sensitive values.</param>
    /// <param name="logger">Logs degradations.</param>
    public RedisSharedCache(SharedRedis redis, Microsoft.Extensions.Caching.Distributed.IDistributedCache store, IDataProtectionProvider protection, ILogger<RedisSharedCache> logger)
    {
        _redis = redis;
        _store = store;
        _logger = logger;
        _protector = protection.CreateProtector("ScaiControl.SharedCache");
        _redis.Restored += () =>
        {
            _memory.Clear();
            Subscribe();
        };
        Subscribe();
    }

    /// <inheritdoc/>
    public async Task<T> GetOrCreateAsync<T>(string key, Func<CancellationToken, Task<T>> load, TimeSpan ttl, bool sensitive = false, CancellationToken ct = default)
    {
        if (!_redis.IsConnected)
        {
            return await load(ct);
        }

        if (_memory.TryGetValue(key, out T? hit))
        {
            return hit!;
        }

        try
        {
            var stored = await _store.GetStringAsync(key, ct);
            if (stored is not null)
            {
                var json = sensitive ? _protector.Unprotect(stored) : stored;
                var value = CacheJson.Deserialize<T>(json);
                Remember(key, value, ttl);
                return value;
            }
        }
        catch (Exception e) when (SharedRedis.IsOutage(e) || e is JsonException or System.Security.Cryptography.CryptographicException)
        {
            _logger.LogDebug(e, "Shared cache read of {Key} failed; reading the source", key);
            return await load(ct);
        }

        var loaded = await load(ct);
        try
        {
            var json = CacheJson.Serialize(loaded);
            await _store.SetStringAsync(key, sensitive ? _protector.Protect(json) : json, new Microsoft.Extensions.Caching.Distributed.DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = ttl }, ct);
            Remember(key, loaded, ttl);
        }
        catch (Exception e) when (SharedRedis.IsOutage(e))
        {
            _logger.LogDebug(e, "Shared cache write of {Key} failed", key);
        }

        return loaded;
    }

    /// <inheritdoc/>
    public async Task InvalidateAsync(string key, CancellationToken ct = default)
    {
        _memory.Remove(key);
        try
        {
            await _store.RemoveAsync(key, ct);
            await _redis.Multiplexer.GetSubscriber().PublishAsync(_redis.Channel(InvalidateChannel), key);
        }
        catch (Exception e) when (SharedRedis.IsOutage(e))
        {
            // Other nodes drop their copy within Redis:LocalCacheFor, or at once when their connection returns.
            _logger.LogWarning(e, "Could not publish the invalidation of {Key}; other nodes keep their copy for at most {For}", key, _redis.Options.LocalCacheFor);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _memory.Dispose();

    private void Remember<T>(string key, T value, TimeSpan ttl) =>
        _memory.Set(key, value, ttl < _redis.Options.LocalCacheFor ? ttl : _redis.Options.LocalCacheFor);

    private void Subscribe()
    {
        if (Interlocked.CompareExchange(ref _subscribed, 1, 0) != 0)
        {
            return;
        }

        try
        {
            _redis.Multiplexer.GetSubscriber().Subscribe(_redis.Channel(InvalidateChannel), (_, message) => _memory.Remove((string)message!));
        }
        catch (Exception e) when (SharedRedis.IsOutage(e))
        {
            Interlocked.Exchange(ref _subscribed, 0);
            _logger.LogWarning(e, "Could not subscribe to cache invalidations yet; retried when Redis is back");
        }
    }
}

/// <summary>
/// JSON for cached values, including domain entities whose setters and parameterless constructors are private (the
/// shapes EF Core materialises): every property with a setter (of any visibility) is written and set back on a
/// fresh instance; computed properties (e.g. Plan.Price) follow from the stored ones.
/// </summary>
public static class CacheJson
{
    private static readonly JsonSerializerOptions Options = new() { Converters = { new EntityConverterFactory() } };

    /// <summary>Serialises <paramref name="value"/>.</summary>
    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>Reads a value written by <see cref="Serialize{T}"/>.</summary>
    /// <exception cref="JsonException">Not a <typeparamref name="T"/>.</exception>
    public static T Deserialize<T>(string json) => JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException("A cached value was null.");

    private sealed class EntityConverterFactory : System.Text.Json.Serialization.JsonConverterFactory
    {
        public override bool CanConvert(Type typeToConvert) =>
            typeToConvert.IsClass && typeToConvert.Namespace?.StartsWith("ScaiControl.Domain", StringComparison.Ordinal) == true
            && typeToConvert.GetConstructor(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public, Type.EmptyTypes) is not null;

        public override System.Text.Json.Serialization.JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
            (System.Text.Json.Serialization.JsonConverter)Activator.CreateInstance(typeof(EntityConverter<>).MakeGenericType(typeToConvert))!;
    }

    private sealed class EntityConverter<T> : System.Text.Json.Serialization.JsonConverter<T>
        where T : class
    {
        private static readonly ConstructorInfo Ctor = typeof(T).GetConstructor(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public, Type.EmptyTypes)!;

        private static readonly Dictionary<string, PropertyInfo> Properties = typeof(T)
            .GetProperties(BindingFlags.Instance | BindingFlags.Public)
            .Where(p => p.GetSetMethod(nonPublic: true) is not null && p.GetIndexParameters().Length == 0)
            .ToDictionary(p => p.Name, StringComparer.Ordinal);

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException($"Expected an object for {typeof(T).Name}.");
            }

            var entity = (T)Ctor.Invoke(null);
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var name = reader.GetString()!;
                reader.Read();
                if (Properties.TryGetValue(name, out var property))
                {
                    property.SetValue(entity, JsonSerializer.Deserialize(ref reader, property.PropertyType, options));
                }
                else
                {
                    reader.Skip();
                }
            }

            return entity;
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            foreach (var (name, property) in Properties)
            {
                writer.WritePropertyName(name);
                JsonSerializer.Serialize(writer, property.GetValue(value), property.PropertyType, options);
            }

            writer.WriteEndObject();
        }
    }
}

using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ScaiControl.Infrastructure.Distributed;

/// <summary>Registers the short-lived shared state: Redis-backed when Redis:Configuration is set, in-process otherwise.</summary>
public static class DistributedRegistration
{
    /// <summary>The Redis key holding the data-protection key ring (under Redis:KeyPrefix).</summary>
    public const string KeyRingKey = "data-protection-keys";

    /// <summary>
    /// Adds <see cref="ISharedCache"/>, <see cref="IProgressFeed"/>, <see cref="IIdempotencyStore"/> and <see cref="IRateLimitCounters"/>; with Redis also
    /// the <see cref="SharedRedis"/> connection and the data-protection key ring in Redis (application name
    /// "ScaiControl", so cookies and antiforgery tokens of one node are valid on every other).
    /// </summary>
    public static IServiceCollection AddScaiDistributed(this IServiceCollection services, IConfiguration configuration)
    {
        var options = new RedisOptions();
        configuration.GetSection("Redis").Bind(options);
        services.AddSingleton(options);
        services.TryAddSingleton<LocalIdempotencyStore>();
        var limits = new RateLimitOptions();
        configuration.GetSection("RateLimiting").Bind(limits);
        services.AddSingleton(limits);
        if (!options.Enabled)
        {
            services.TryAddSingleton<IRateLimitCounters, LocalRateLimitCounters>();
            services.TryAddSingleton<ISharedCache, LocalSharedCache>();
            services.TryAddSingleton<IProgressFeed, LocalProgressFeed>();
            services.TryAddSingleton<IIdempotencyStore>(sp => sp.GetRequiredService<LocalIdempotencyStore>());
            return services;
        }

        services.TryAddSingleton<SharedRedis>();
        services.AddDataProtection().SetApplicationName("ScaiControl");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp => new ConfigureOptions<KeyManagementOptions>(o =>
        {
            var redis = sp.GetRequiredService<SharedRedis>();
            o.XmlRepository = new FallbackXmlRepository(new RedisXmlRepository(() => redis.Database, redis.Key(KeyRingKey)), sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<FallbackXmlRepository>>());
        }));
        services.AddStackExchangeRedisCache(_ => { });
        services.AddSingleton<IConfigureOptions<RedisCacheOptions>>(sp => new ConfigureOptions<RedisCacheOptions>(o =>
        {
            var redis = sp.GetRequiredService<SharedRedis>();
            o.ConnectionMultiplexerFactory = () => Task.FromResult(redis.Multiplexer);
            o.InstanceName = options.KeyPrefix + "cache:";
        }));
        services.TryAddSingleton<ISharedCache, RedisSharedCache>();
        services.TryAddSingleton<IProgressFeed, RedisProgressFeed>();
        services.TryAddSingleton<IIdempotencyStore, RedisIdempotencyStore>();
        services.TryAddSingleton<IRateLimitCounters, RedisRateLimitCounters>();
        return services;
    }
}

/// <summary>
/// The key ring in Redis with a memory of its own: reads remember the last key ring Redis returned and serve it while
/// Redis is unreachable; a key created meanwhile (a node starting during an outage) is kept in memory and written to
/// Redis when it answers again. So data protection (cookies, antiforgery) never fails a request for a Redis outage;
/// at worst a node started during one issues cookies other nodes cannot read until it is back.
/// </summary>
public sealed class FallbackXmlRepository(Microsoft.AspNetCore.DataProtection.Repositories.IXmlRepository primary, Microsoft.Extensions.Logging.ILogger<FallbackXmlRepository> logger)
    : Microsoft.AspNetCore.DataProtection.Repositories.IXmlRepository
{
    private readonly Lock _gate = new();
    private readonly List<System.Xml.Linq.XElement> _unsaved = [];
    private IReadOnlyCollection<System.Xml.Linq.XElement> _lastRead = [];

    /// <inheritdoc/>
    public IReadOnlyCollection<System.Xml.Linq.XElement> GetAllElements()
    {
        try
        {
            Flush();
            var elements = primary.GetAllElements();
            lock (_gate)
            {
                _lastRead = elements;
                return [.. elements, .. _unsaved];
            }
        }
        catch (Exception e) when (SharedRedis.IsOutage(e))
        {
            logger.LogWarning(e, "Data-protection key ring read from memory (Redis unreachable)");
            lock (_gate)
            {
                return [.. _lastRead, .. _unsaved];
            }
        }
    }

    /// <inheritdoc/>
    public void StoreElement(System.Xml.Linq.XElement element, string friendlyName)
    {
        try
        {
            primary.StoreElement(element, friendlyName);
        }
        catch (Exception e) when (SharedRedis.IsOutage(e))
        {
            logger.LogWarning(e, "New data-protection key {Name} kept in memory until Redis answers", friendlyName);
            lock (_gate)
            {
                _unsaved.Add(element);
            }
        }
    }

    private void Flush()
    {
        System.Xml.Linq.XElement[] pending;
        lock (_gate)
        {
            pending = [.. _unsaved];
        }

        foreach (var element in pending)
        {
            primary.StoreElement(element, element.Attribute("id")?.Value ?? "key");
            lock (_gate)
            {
                _unsaved.Remove(element);
            }
        }
    }
}

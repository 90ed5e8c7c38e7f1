using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
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
            o.XmlRepository = new RedisXmlRepository(() => redis.Database, redis.Key(KeyRingKey));
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

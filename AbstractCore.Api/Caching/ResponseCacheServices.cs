using AbstractCore.Api.Hosting;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;

namespace AbstractCore.Api.Caching;

internal static class ResponseCacheServices
{
    /// <summary>
    /// HybridCache for <see cref="ResponseCache"/>; with the <c>cache</c> connection string, Redis as its L2 through the
    /// gateway's one Redis client (<see cref="GatewayRedis"/>), so a second replica answers from what the first stored.
    /// </summary>
    public static void AddResponseCache(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddHybridCache(o => o.MaximumPayloadBytes = AnswerCapture.MaxBytes + 1024) // the answer and its small head
            .AddSerializer<CachedAnswer, CachedAnswerSerializer>();
        if (GatewayRedis.IsConfigured(builder.Configuration))
        {
            // RedisCache closes the client it was given when the container disposes it, at shutdown; the other Redis users
            // already take a closed client then (ObjectDisposedException) as they take an outage.
            services.AddStackExchangeRedisCache(o => o.InstanceName = "acore:");
            services.AddOptions<RedisCacheOptions>().Configure<IServiceProvider>((o, sp) =>
                o.ConnectionMultiplexerFactory = () => Task.FromResult(sp.GetRequiredService<IConnectionMultiplexer>()));
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ResponseCache>();
    }
}

using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;

namespace AbstractCore.Api.Keys.Limits;

internal static class KeyLimitServices
{
    /// <summary>
    /// The one <see cref="KeyLimiter"/>: shared across replicas through the gateway's Redis client when the <c>cache</c>
    /// connection string registered one (<see cref="Hosting.GatewayRedis"/>, which must come first), per replica
    /// otherwise.
    /// </summary>
    public static IServiceCollection AddKeyLimits(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new KeyLimiter(
            sp.GetService<IConnectionMultiplexer>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<KeyLimiter>>(),
            KeyLimitOptions.From(sp.GetService<IConfiguration>())));
        return services;
    }
}

using StackExchange.Redis;

namespace AbstractCore.Api.Hosting;

/// <summary>
/// The one Redis client (Aspire's <c>AddRedisClient</c>) behind stored responses, job records and capability
/// defaults, when the <c>cache</c> connection string is set.
/// </summary>
internal static class GatewayRedis
{
    public const string ConnectionName = "cache";

    /// <summary>
    /// Timeouts for the request path, put in front of the connection string so that its own options and the
    /// <c>Aspire:StackExchange:Redis:ConfigurationOptions</c> section still win. StackExchange.Redis's 5 s made a read
    /// wait 5.5 s for a Redis that was gone; a healthy Redis answers in well under a millisecond, so 2 s only cuts off
    /// an outage. The async timeout follows <c>syncTimeout</c>. <c>abortConnect=false</c> (Aspire's default too) lets
    /// the gateway start without Redis and reconnect by itself when it returns.
    /// </summary>
    internal const string RequestPathDefaults = "connectTimeout=2000,syncTimeout=2000,abortConnect=false,";

    public static bool IsConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration.GetConnectionString(ConnectionName));

    public static void AddGatewayRedis(this WebApplicationBuilder builder)
    {
        if (!IsConfigured(builder.Configuration) || builder.Services.Any(d => d.ServiceType == typeof(IConnectionMultiplexer)))
        {
            return;
        }

        builder.AddRedisClient(ConnectionName, settings => settings.ConnectionString = RequestPathDefaults + settings.ConnectionString);
        Health.RedisHealth.DegradeOnly(builder.Services);
    }
}

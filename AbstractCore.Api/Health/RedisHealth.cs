using Microsoft.Extensions.Diagnostics.HealthChecks;
using CheckStatus = Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus;

namespace AbstractCore.Api.Health;

/// <summary>
/// Redis down only degrades the gateway: chat, embeddings, media and unstored responses still work, stored responses
/// are answered with a warning, and what needs the store answers 503 <c>store_unavailable</c>. Every replica shares
/// the one Redis, so failing <c>/ready</c> would take all of them out of the load balancer at once and turn a partial
/// outage into a total one; degraded keeps <c>/ready</c> at 200 and shows the check in <c>/health</c>'s details.
/// </summary>
internal static class RedisHealth
{
    /// <summary>The name Aspire's <c>AddRedisClient</c> gives its check.</summary>
    public const string CheckName = "StackExchange.Redis";

    /// <summary>PostConfigure: runs after Aspire's registration, whatever order the registrations were made in.</summary>
    public static void DegradeOnly(IServiceCollection services) =>
        services.PostConfigure<HealthCheckServiceOptions>(options =>
        {
            foreach (var registration in options.Registrations.Where(r => r.Name == CheckName))
            {
                registration.FailureStatus = CheckStatus.Degraded;
            }
        });
}

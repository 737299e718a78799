using System.Reflection;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using CheckStatus = Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus;

namespace AbstractCore.Api.Health;

internal static class GatewayHealthEndpoints
{
    private static readonly string Version =
        typeof(GatewayHealthEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>
    /// The gateway's dependency checks, besides Redis (Aspire's client registers <c>StackExchange.Redis</c> when
    /// <c>cache</c> is set; <see cref="RedisHealth"/> makes its failure degraded) and RabbitMQ (<c>rabbitmq</c>, with <c>messaging</c>;
    /// <see cref="AbstractCore.Jobs.JobQueueHealthCheck"/>, degraded when a job message cannot be sent): Inference readiness when
    /// <c>ABSTRACTCORE_INFERENCE_URL</c> is set. Inference down only degrades the gateway (every other provider still
    /// answers), so its failure is <see cref="CheckStatus.Degraded"/> and <c>/ready</c> stays 200.
    /// </summary>
    public static void AddGatewayHealthChecks(WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<HealthDetailsAccess>();
        if (!string.IsNullOrWhiteSpace(builder.Configuration["ABSTRACTCORE_INFERENCE_URL"]))
        {
            builder.Services.AddHealthChecks().AddCheck<InferenceReadinessCheck>(InferenceReadinessCheck.Name, CheckStatus.Degraded);
        }
    }

    /// <summary>
    /// <c>GET /health</c>: always open and always 200, so load balancers and the AppHost can probe it. Anyone gets
    /// <c>{"status":"healthy","version"}</c>; a caller presenting the server token also gets <c>details</c>: every health
    /// check (name, status, duration, description with credentials removed) and their overall status.
    /// </summary>
    public static void MapHealth(this IEndpointRouteBuilder app) =>
        app.MapGet("/health", async (HttpContext context, HealthDetailsAccess access) =>
            {
                if (!access.Allows(context))
                {
                    return TypedResults.Json(new HealthStatus("healthy", Version), HealthJsonContext.Default.HealthStatus);
                }

                var report = await context.RequestServices.GetRequiredService<HealthCheckService>().CheckHealthAsync(context.RequestAborted);
                return (IResult)TypedResults.Json(new HealthStatusWithDetails("healthy", Version, HealthDetails.From(report)),
                    HealthJsonContext.Default.HealthStatusWithDetails);
            })
            .WithTags("Health").WithSummary("Liveness of the gateway (with dependency details for the server token)")
            .AllowAnonymous();
}

internal sealed record HealthStatus(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("version")] string Version);

internal sealed record HealthStatusWithDetails(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("details")] HealthDetails Details);

[JsonSerializable(typeof(HealthStatus))]
[JsonSerializable(typeof(HealthStatusWithDetails))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;

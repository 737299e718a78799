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
    /// <c>{"status":"healthy","version","features"}</c> (the original's shape); a caller presenting the server token also
    /// gets <c>details</c>: every health check (name, status, duration, description with credentials removed) and their
    /// overall status.
    /// </summary>
    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        var features = Features(app.ServiceProvider.GetRequiredService<IConfiguration>());
        app.MapGet("/health", async (HttpContext context, HealthDetailsAccess access) =>
            {
                if (!access.Allows(context))
                {
                    return TypedResults.Json(new HealthStatus("healthy", Version, features), HealthJsonContext.Default.HealthStatus);
                }

                var report = await context.RequestServices.GetRequiredService<HealthCheckService>().CheckHealthAsync(context.RequestAborted);
                return (IResult)TypedResults.Json(new HealthStatusWithDetails("healthy", Version, features, HealthDetails.From(report)),
                    HealthJsonContext.Default.HealthStatusWithDetails);
            })
            .WithTags("Health").WithSummary("Liveness of the gateway and its enabled features (with dependency details for the server token)")
            .AllowAnonymous();
    }

    /// <summary>
    /// The original's four features, which every configuration of this server has, then those its settings turn on, so
    /// a client can tell what it may use without probing routes.
    /// </summary>
    internal static IReadOnlyList<string> Features(IConfiguration configuration)
    {
        List<string> features = ["multi-agent-syntax-support", "auto-format-detection", "universal-tool-calls", "abstractcore-integration"];
        if (!string.IsNullOrWhiteSpace(configuration["ABSTRACTCORE_INFERENCE_URL"]))
        {
            features.AddRange(["local-onnx-inference", "prompt-cache-binding"]);
        }

        if (Hosting.GatewayRedis.IsConfigured(configuration))
        {
            features.Add("shared-state-redis");
        }

        if (!string.IsNullOrWhiteSpace(configuration.GetConnectionString(AbstractCore.Jobs.JobSettings.MessagingConnectionName)))
        {
            features.Add("durable-jobs");
        }

        if (!string.IsNullOrWhiteSpace(configuration["ABSTRACTCORE_AUTH_TOKEN"]))
        {
            features.Add("server-auth");
        }

        return features;
    }
}

internal sealed record HealthStatus(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("features")] IReadOnlyList<string> Features);

internal sealed record HealthStatusWithDetails(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("features")] IReadOnlyList<string> Features,
    [property: JsonPropertyName("details")] HealthDetails Details);

[JsonSerializable(typeof(HealthStatus))]
[JsonSerializable(typeof(HealthStatusWithDetails))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;

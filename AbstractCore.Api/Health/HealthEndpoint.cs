using System.Reflection;
using System.Text.Json.Serialization;

namespace AbstractCore.Api.Health;

public static class HealthEndpoint
{
    private static readonly string Version =
        typeof(HealthEndpoint).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary><c>GET /health</c>: always open, so load balancers and the AppHost can probe it.</summary>
    public static void MapHealth(this WebApplication app) =>
        app.MapGet("/health", () => TypedResults.Json(new HealthStatus("healthy", Version), HealthJsonContext.Default.HealthStatus))
            .WithTags("Health").WithSummary("Liveness of the gateway");
}

public sealed record HealthStatus(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("version")] string Version);

[JsonSerializable(typeof(HealthStatus))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;

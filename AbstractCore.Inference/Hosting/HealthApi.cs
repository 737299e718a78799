namespace AbstractCore.Inference.Hosting;

internal static class HealthApi
{
    public static IEndpointRouteBuilder MapServiceHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/health", () => TypedResults.Ok(new ServiceHealth("healthy", "inference")))
            .WithName("Health");
        return endpoints;
    }
}

internal sealed record ServiceHealth(string Status, string Service);

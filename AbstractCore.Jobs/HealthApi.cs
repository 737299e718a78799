namespace AbstractCore.Jobs.Worker;

internal static class HealthApi
{
    public static IEndpointRouteBuilder MapServiceHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/health", () => TypedResults.Ok(new ServiceHealth("healthy", "jobs")))
            .WithName("Health");
        return endpoints;
    }
}

internal sealed record ServiceHealth(string Status, string Service);

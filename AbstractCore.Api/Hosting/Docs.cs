using Scalar.AspNetCore;

namespace AbstractCore.Api.Hosting;

public static class Docs
{
    /// <summary><c>/openapi.json</c> and the Scalar browser at <c>/docs</c>.</summary>
    public static void MapDocs(this WebApplication app)
    {
        app.MapOpenApi("/openapi.json");
        app.MapScalarApiReference("/docs", o => o.WithTitle("AbstractCore").WithOpenApiRoutePattern("/openapi.json"));
    }
}

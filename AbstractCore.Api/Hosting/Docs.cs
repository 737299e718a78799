using AbstractCore.Api.Auth;
using AbstractCore.Api.Docs;
using Scalar.AspNetCore;

namespace AbstractCore.Api.Hosting;

public static class Docs
{
    /// <summary>
    /// <c>/openapi.json</c>, the Scalar browser at <c>/docs</c>, ReDoc at <c>/redoc</c> and the script-free index at
    /// <c>/docs-lite</c>. Every asset is served from this process: the pages work offline and send nothing to a CDN.
    /// </summary>
    public static void MapDocs(this WebApplication app)
    {
        app.MapOpenApi("/openapi.json").AsDocsPage();
        app.MapScalarApiReference("/docs", o => o
            .WithTitle("AbstractCore")
            .WithOpenApiRoutePattern("/openapi.json")
            // Scalar's default fonts (Inter, JetBrains Mono) come from its CDN; system fonts keep the page offline.
            .DisableDefaultFonts()
            .DisableTelemetry()
            .WithJavaScriptConfiguration(DocsAssets.TokenGatePath))
            .AsDocsPage();
        DocsAssets.Map(app);
        ReDocPage.Map(app);
        DocsLite.Map(app);
    }
}

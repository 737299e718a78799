using AbstractCore.Api.Auth;
using AbstractCore.Api.Docs;
using Scalar.AspNetCore;

namespace AbstractCore.Api.Hosting;

internal static class Docs
{
    /// <summary>
    /// <c>/openapi.json</c>, the Scalar browser at <c>/docs</c>, ReDoc at <c>/redoc</c> and the script-free index at
    /// <c>/docs-lite</c>, and the landing page at <c>/</c>. Every asset is served from this process: the pages work offline and send nothing to a CDN.
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
            // Scalar's own schema section is also called "Models", beside our Models tag: the operations show their schemas.
            .HideModels()
            // One token UI: the gate's validated field (Docs/Assets/acore-token-gate.js) feeds Scalar's bearer scheme;
            // Scalar's own panel would take any token unchecked.
            .WithCustomCss(".scalar-reference-intro-auth { display: none !important; }")
            .WithJavaScriptConfiguration(DocsAssets.TokenGatePath))
            .AsDocsPage();
        DocsAssets.Map(app);
        ReDocPage.Map(app);
        DocsLite.Map(app);
        LandingPage.Map(app);
    }
}

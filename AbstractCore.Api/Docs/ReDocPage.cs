namespace AbstractCore.Api.Docs;

/// <summary>
/// <c>/redoc</c>: ReDoc's standalone bundle as embedded in Swashbuckle.AspNetCore.ReDoc, pointed at
/// <c>/openapi.json</c>. The package's own index page links Google Fonts; ours links nothing outside the server.
/// </summary>
internal static class ReDocPage
{
    /// <summary>Middleware, added after the server auth check so ABSTRACTCORE_SERVER_PROTECT_DOCS covers it.</summary>
    public static void Map(WebApplication app) =>
        app.UseReDoc(o =>
        {
            o.RoutePrefix = "redoc";
            o.DocumentTitle = "AbstractCore API reference";
            o.SpecUrl = "../openapi.json"; // relative to /redoc/index.html, so a path base still works
            o.IndexStream = () => DocsAssets.Open(DocsAssets.ReDocIndex);
        });
}

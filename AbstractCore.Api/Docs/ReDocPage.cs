using AbstractCore.Api.Auth;

namespace AbstractCore.Api.Docs;

/// <summary>
/// <c>/redoc</c>: ReDoc's standalone bundle as embedded in Swashbuckle.AspNetCore.ReDoc, pointed at
/// <c>/openapi.json</c>. The package's own index page links Google Fonts; ours links nothing outside the server.
/// </summary>
internal static class ReDocPage
{
    /// <summary>Everything the package serves: the redirect, its page and the page's assets.</summary>
    private static readonly string[] Paths =
        ["/redoc", "/redoc/index.html", "/redoc/index.css", "/redoc/index.js", "/redoc/redoc.standalone.js"];

    /// <summary>The package is middleware; it runs inside endpoints for exactly its paths so that the docs' access rule
    /// comes from endpoint metadata like every other route's.</summary>
    public static void Map(WebApplication app)
    {
        var redoc = ((IEndpointRouteBuilder)app).CreateApplicationBuilder().UseReDoc(o =>
        {
            o.RoutePrefix = "redoc";
            o.DocumentTitle = "AbstractCore API reference";
            o.SpecUrl = "../openapi.json"; // relative to /redoc/index.html, so a path base still works
            o.IndexStream = () => DocsAssets.Open(DocsAssets.ReDocIndex);
        }).Build();

        foreach (var path in Paths)
        {
            app.MapGet(path, context =>
            {
                // Its static-file server declines requests that already matched an endpoint.
                context.SetEndpoint(null);
                return redoc(context);
            }).AsDocsPage();
        }
    }
}

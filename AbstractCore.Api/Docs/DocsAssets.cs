using System.Reflection;
using AbstractCore.Api.Auth;

namespace AbstractCore.Api.Docs;

/// <summary>The docs' own static files, embedded in this assembly so the pages need nothing from outside the server.</summary>
internal static class DocsAssets
{
    /// <summary>Loaded by Scalar's page as its configuration module: asks for the server token and checks it first.</summary>
    public const string TokenGatePath = "/docs/acore-token-gate.js";

    public const string ReDocIndex = "redoc-index.html";

    public static Stream Open(string name) =>
        Assembly.GetExecutingAssembly().GetManifestResourceStream("AbstractCore.Api.Docs.Assets." + name)
        ?? throw new InvalidOperationException($"The embedded docs asset {name} is missing.");

    public static void Map(WebApplication app)
    {
        app.MapGet(TokenGatePath, () => Results.Stream(Open("acore-token-gate.js"), "text/javascript; charset=utf-8"))
            .AsDocsPage();
    }
}

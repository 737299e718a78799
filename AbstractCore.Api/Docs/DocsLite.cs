using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using AbstractCore.Api.Auth;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace AbstractCore.Api.Docs;

/// <summary>
/// <c>/docs-lite</c>: every operation of the OpenAPI document (method, path, summary, a link to it in <c>/docs</c>) as
/// plain HTML, rendered on the server: no script, no stylesheet, nothing to fetch, so it works in any browser.
/// </summary>
internal static class DocsLite
{
    public const string DocumentName = "v1";

    public static void Map(WebApplication app) =>
        app.MapGet("/docs-lite", async (HttpContext context, CancellationToken cancellationToken) =>
        {
            var provider = context.RequestServices.GetRequiredKeyedService<IOpenApiDocumentProvider>(DocumentName);
            var document = await provider.GetOpenApiDocumentAsync(cancellationToken);
            return Results.Content(Render(document), "text/html; charset=utf-8");
        }).AsDocsPage();

    public static string Render(OpenApiDocument document)
    {
        var html = HtmlEncoder.Default;
        var operations = (document.Paths ?? [])
            .SelectMany(p => (p.Value.Operations ?? []).Select(o => (Path: p.Key, Method: o.Key.Method.ToUpperInvariant(), Operation: o.Value)))
            .GroupBy(o => o.Operation.Tags?.FirstOrDefault()?.Name ?? "Other");

        var page = new StringBuilder();
        page.Append(CultureInfo.InvariantCulture, $"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{html.Encode(document.Info?.Title ?? "API")}: endpoints</title>
            <style>
            body {"{"} font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #1f2328; {"}"}
            table {"{"} border-collapse: collapse; width: 100%; margin-bottom: 1.5rem; {"}"}
            th, td {"{"} text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #d0d7de; vertical-align: top; {"}"}
            code {"{"} font-family: ui-monospace, monospace; {"}"}
            .method {"{"} font-weight: 600; width: 5rem; {"}"}
            </style>
            </head>
            <body>
            <h1>AbstractCore API</h1>
            <p>A lightweight documentation view of every endpoint. Explore and send requests in <a href="docs/">/docs</a>,
            read the reference in <a href="redoc">/redoc</a>, or fetch the schema from <a href="openapi.json">/openapi.json</a>.</p>

            """);
        foreach (var group in operations)
        {
            page.Append(CultureInfo.InvariantCulture, $"<h2>{html.Encode(group.Key)}</h2>\n<table>\n<tr><th>Method</th><th>Path</th><th>Summary</th></tr>\n");
            foreach (var (path, method, operation) in group)
            {
                var anchor = $"docs/#tag/{Slug(group.Key)}/{method}{path}";
                page.Append(CultureInfo.InvariantCulture,
                    $"<tr><td class=\"method\">{method}</td><td><a href=\"{html.Encode(anchor)}\"><code>{html.Encode(path)}</code></a></td><td>{html.Encode(operation.Summary ?? "")}</td></tr>\n");
            }

            page.Append("</table>\n");
        }

        page.Append("</body>\n</html>\n");
        return page.ToString();
    }

    /// <summary>Scalar's tag anchor: lower case, spaces as dashes.</summary>
    private static string Slug(string tag) => tag.Trim().ToLowerInvariant().Replace(' ', '-');
}

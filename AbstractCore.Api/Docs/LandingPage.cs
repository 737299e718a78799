using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http.Extensions;

namespace AbstractCore.Api.Docs;

/// <summary>
/// <c>GET /</c>, a small page pointing to the docs and the first request, and <c>GET /favicon.ico</c>. Both are open
/// even with ABSTRACTCORE_SERVER_PROTECT_DOCS (spec §2.1 exempts them): they reveal nothing about the API.
/// </summary>
internal static class LandingPage
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/", (HttpContext context) => Results.Content(Render(BaseUrl(context.Request)), "text/html; charset=utf-8"))
            .AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/favicon.ico", () => Results.Stream(DocsAssets.Open("favicon.ico"), "image/x-icon"))
            .AllowAnonymous().ExcludeFromDescription();
    }

    /// <summary>The address the client used, so the curl example runs as shown (behind a proxy too, with forwarded headers).</summary>
    private static string BaseUrl(HttpRequest request) => UriHelper.BuildAbsolute(request.Scheme, request.Host, request.PathBase).TrimEnd('/');

    public static string Render(string baseUrl)
    {
        var url = HtmlEncoder.Default.Encode(baseUrl);
        return $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>AbstractCore</title>
            <link rel="icon" href="favicon.ico">
            <style>
            body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 48rem; padding: 0 1rem; color: #1f2328; line-height: 1.5; }
            pre { background: #f6f8fa; border: 1px solid #d0d7de; padding: .75rem 1rem; overflow-x: auto; }
            code { font-family: ui-monospace, monospace; }
            </style>
            </head>
            <body>
            <h1>AbstractCore</h1>
            <p>An OpenAI-compatible API gateway: send <code>provider/model</code> to <code>{{url}}/v1</code> with any OpenAI SDK,
            the server token as the API key.</p>
            <ul>
            <li><a href="docs/">/docs</a>: browse every operation and send it from the browser</li>
            <li><a href="redoc">/redoc</a> and <a href="docs-lite">/docs-lite</a>: the same reference, read-only</li>
            <li><a href="openapi.json">/openapi.json</a>: the OpenAPI document</li>
            <li><a href="health">/health</a>: liveness</li>
            </ul>
            <h2>First request</h2>
            <pre><code>curl {{url}}/v1/chat/completions \
              -H "Authorization: Bearer $ABSTRACTCORE_AUTH_TOKEN" \
              -H "Content-Type: application/json" \
              -d '{"model":"openai-compatible/qwen3-4b","messages":[{"role":"user","content":"Say hello"}]}'</code></pre>
            <p>The model is <code>provider/model</code>, or a model alias the operator configured (<code>model_aliases</code>:
            one name over several deployments, with fallbacks): the models of the providers this server has keys or base URLs
            for, and its aliases, are listed by <code>GET /v1/models</code>. Setup and configuration: the project's README.</p>
            </body>
            </html>
            """;
    }
}

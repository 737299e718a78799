using AbstractCore.Api.Capabilities;
using AbstractCore.Api.Media;
using AbstractCore.Api.Hosting;
using AbstractCore.Embeddings;
using AbstractCore.Media;
using AbstractCore.OpenAI.Embeddings;

namespace AbstractCore.Api.Embeddings;

/// <summary><c>POST /v1/embeddings</c>: validate (section 8.4's messages), pick the provider, call it, answer OpenAI's shape.</summary>
public static class EmbeddingsEndpoint
{
    private static readonly RequestExample Example = new(typeof(EmbeddingRequestBody), """
        {
          "model": "openai/text-embedding-3-small",
          "input": ["The quick brown fox", "jumps over the lazy dog"],
          "encoding_format": "float"
        }
        """);

    public static void MapEmbeddings(this WebApplication app)
    {
        app.MapPost("/v1/embeddings", HandleAsync)
            .WithTags("Embeddings").WithSummary("Create embedding vectors (OpenAI-compatible providers and Ollama)")
            .WithMetadata(Example)
            .Produces<EmbeddingList>();
    }

    private static async Task HandleAsync(HttpContext context, MediaRouter router, MediaUpstream upstream, EmbeddingsClient client)
    {
        var aborted = context.RequestAborted;
        var request = EmbeddingRequest.From(await Requests.JsonBody.ReadMediaObjectAsync(context.Request, aborted));
        var target = await router.ResolveAsync(MediaRoute.Embeddings, new MediaHead(request.Model, null, request.BaseUrl), null, aborted);
        var provider = EmbeddingProviders.Require(target.Provider);
        var endpoint = await upstream.ResolveAsync(context, provider, target.BaseUrl);
        await upstream.RunAsync(context, provider.Name, async token =>
        {
            var json = await client.CreateAsync(endpoint, request, target.Ref, token);
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = json.Length;
            await context.Response.Body.WriteAsync(json, aborted);
        });
    }
}

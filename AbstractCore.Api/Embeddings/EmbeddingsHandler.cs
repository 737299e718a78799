using AbstractCore.Api.Capabilities;
using AbstractCore.Api.Media;
using AbstractCore.Embeddings;

namespace AbstractCore.Api.Embeddings;

/// <summary><c>POST /v1/embeddings</c>: validate (section 8.4's messages), pick the provider, call it, answer OpenAI's
/// shape. It writes the upstream's JSON bytes through, so it takes the context rather than returning a result.</summary>
internal static class EmbeddingsHandler
{
    public static async Task HandleAsync(HttpContext context, MediaRouter router, MediaUpstream upstream, EmbeddingsClient client)
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

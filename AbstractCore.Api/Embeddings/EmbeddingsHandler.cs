using AbstractCore.Api.Aliases;
using AbstractCore.Api.Auth;
using AbstractCore.Api.Capabilities;
using AbstractCore.Api.Media;
using AbstractCore.Api.Spend;
using AbstractCore.Embeddings;
using AbstractCore.Providers;

namespace AbstractCore.Api.Embeddings;

/// <summary><c>POST /v1/embeddings</c>: validate (section 8.4's messages), pick the provider, call it, answer OpenAI's
/// shape. It writes the upstream's JSON bytes through, so it takes the context rather than returning a result. A model
/// alias tries its deployments in turn (<see cref="AliasAttempts"/>); the one that answers is charged, before the body.</summary>
internal static class EmbeddingsHandler
{
    public static async Task HandleAsync(
        HttpContext context, MediaRouter router, MediaUpstream upstream, EmbeddingsClient client, AliasAttempts aliases, ProviderResolver providers)
    {
        var aborted = context.RequestAborted;
        var request = EmbeddingRequest.From(await Requests.JsonBody.ReadMediaObjectAsync(context.Request, aborted));
        if (request.Model is { } named && aliases.Aliases.Find(named) is { } alias)
        {
            var caller = new ProviderRequest(request.BaseUrl, context.Request.Headers.ProviderKey(aliases.AuthEnabled), ServerAuth.IsAuthenticated(context));
            await aliases.RunAsync(context, alias, async deployment =>
            {
                var provider = EmbeddingProviders.Require(deployment.Deployment.Model.Provider);
                var endpoint = await providers.ResolveDeploymentAsync(provider, deployment.Deployment.Upstream, caller, aborted);
                await CallAsync(context, upstream, client, endpoint, request, deployment.Deployment.Model);
            });
            return;
        }

        var target = await router.ResolveAsync(MediaRoute.Embeddings, new MediaHead(request.Model, null, request.BaseUrl), null, aborted);
        var plain = EmbeddingProviders.Require(target.Provider);
        await CallAsync(context, upstream, client, await upstream.ResolveAsync(context, plain, target.BaseUrl), request, target.Ref);
    }

    private static Task CallAsync(
        HttpContext context, MediaUpstream upstream, EmbeddingsClient client, ProviderEndpoint endpoint, EmbeddingRequest request, Routing.ModelRef model) =>
        upstream.RunAsync(context, endpoint.Provider.Name, async token =>
        {
            var json = await client.CreateAsync(endpoint, request, model, token);
            RequestBill.Of(context)?.Charge(model.Provider, model.Model, EmbeddingsUsage.Of(json, request));
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = json.Length;
            await context.Response.Body.WriteAsync(json, context.RequestAborted);
        });
}

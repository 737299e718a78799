using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using AbstractCore.Api.Capabilities;
using AbstractCore.Media;
using AbstractCore.OpenAI.Media;
using AbstractCore.Providers;

namespace AbstractCore.Api.Media;

/// <summary>
/// The routing head image and video requests share: the <see cref="MediaRouter"/>'s target, checked to be one that can
/// serve the request (an OpenAI-compatible provider, a media model, a base URL and key the policy accepts) before any
/// work is queued.
/// </summary>
internal sealed class VisionRouting(MediaRouter router, MediaUpstream upstream)
{
    /// <summary>A generation body read and checked field by field in the order the clients see errors, then routed.</summary>
    public async Task<VisionGeneration<T>> ReadGenerationAsync<T>(HttpContext context, MediaRoute route, JsonTypeInfo<T> type, MediaCaller caller)
        where T : class, IMediaGenerationRequest
    {
        var request = await MediaFields.ReadJsonAsync(context.Request, type, context.RequestAborted);
        MediaFields.RejectUnknown(request.Unknown);
        var prompt = MediaFields.RequirePrompt(request.Prompt);
        MediaFields.CheckResponseFormat(request.ResponseFormat);
        var size = MediaFields.Size(request.Size, request.Width, request.Height);
        var extra = MediaFields.Extra(request.Extra);
        var target = await ResolveAsync(context, route, new MediaHead(request.Model, request.Provider, request.BaseUrl), caller);
        return new VisionGeneration<T>(request, prompt, size, extra, target);
    }

    public async Task<MediaTarget> ResolveAsync(HttpContext context, MediaRoute route, MediaHead head, MediaCaller caller)
    {
        var target = await router.ResolveAsync(route, head, caller.PathProvider, context.RequestAborted);
        var surface = route.Surface;
        if (target.Provider == "server")
        {
            throw GatewayException.BadRequest($"Omit `model` to use the server's default {surface} backend; 'server/…' is not a model.", "model");
        }

        var provider = ProviderCatalog.Get(target.Provider);
        if (provider.Protocol != ProviderProtocol.OpenAICompatible)
        {
            throw GatewayException.BadRequest(
                $"Provider '{provider.Name}' has no {surface} API. Use an OpenAI-compatible provider (openai, openai-compatible, " +
                "openrouter, portkey, lmstudio, vllm).", "model", "unsupported_provider");
        }

        if (provider.Name == "openai" && target.Model is { } model && !LooksLikeMediaModel(model))
        {
            throw GatewayException.BadRequest(
                $"'openai/{model}' is a chat model and is not supported by /v1/{surface}/*. Use an {surface} model " +
                $"such as {route.ExampleModel}.", "model", "unsupported_model");
        }

        // Fails early (501/400/401/403) on a missing base URL, a refused base_url or a missing key, before anything is queued.
        await upstream.ResolveAsync(context, provider, target.BaseUrl, caller.ExplicitKey);
        return target with { Provider = provider.Name };
    }

    private static bool LooksLikeMediaModel(string model) =>
        model.Contains("image", StringComparison.OrdinalIgnoreCase) || model.StartsWith("dall-e", StringComparison.OrdinalIgnoreCase) ||
        model.StartsWith("sora", StringComparison.OrdinalIgnoreCase) || model.Contains("video", StringComparison.OrdinalIgnoreCase);
}

/// <summary>A checked generation request: the body as sent, its prompt, size (null: none given), <c>extra</c> and target.</summary>
internal sealed record VisionGeneration<T>(T Request, string Prompt, string? Size, JsonObject Extra, MediaTarget Target)
{
    /// <summary>The upstream call: <c>extra</c> merged in last (it wins), sent to the target.</summary>
    public MediaCall Call(string kind, string path, JsonObject body)
    {
        MediaFields.Merge(body, Extra);
        return new MediaCall(kind, Target.Provider, Target.BaseUrl, path, body.ToJsonString());
    }
}

using AbstractCore.Api.Capabilities;
using AbstractCore.Providers;

namespace AbstractCore.Api.Media;

/// <summary>
/// The routing head image and video requests share: the <see cref="MediaRouter"/>'s target, checked to be one that can
/// serve the request (an OpenAI-compatible provider, a media model, a base URL and key the policy accepts) before any
/// work is queued.
/// </summary>
public sealed class VisionRouting(MediaRouter router, MediaUpstream upstream, ProviderResolver providers)
{
    public async Task<MediaTarget> ResolveAsync(HttpContext context, MediaRoute route, MediaHead head, MediaCaller caller)
    {
        var target = await router.ResolveAsync(route, head, caller.PathProvider, context.RequestAborted);
        var surface = route.Surface;
        if (target.Provider == "server")
        {
            throw GatewayException.BadRequest($"Omit `model` to use the server's default {surface} backend; 'server/…' is not a model.", "model");
        }

        var provider = providers.Find(target.Provider);
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

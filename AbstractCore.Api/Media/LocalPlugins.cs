using AbstractCore.Api.Capabilities;
using AbstractCore.Embeddings;

namespace AbstractCore.Api.Media;

/// <summary>Provider names that meant a local Python plugin in the original (voice, vision and music engines). This
/// gateway hosts none: each is a 501 naming what to configure instead, worded per route family as it always was.</summary>
internal static class LocalPlugins
{
    private static readonly HashSet<string> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        "local", "abstractvoice", "abstractvision", "abstractmusic",
        "diffusers", "mlx-gen", "mflux", "sdcpp", "huggingface",
        "acestep", "ace-step", "stable-audio", "stable-audio-3", "musicgen",
    };

    public static void Refuse(MediaRoute route, MediaTarget target)
    {
        // huggingface/<id> embeddings are served: by the local Inference service (EmbeddingProviders.LocalAlias).
        if (!Names.Contains(target.Provider) || (route == MediaRoute.Embeddings && target.Provider == EmbeddingProviders.LocalAlias))
        {
            return;
        }

        throw route.Family switch
        {
            MediaFamily.Vision => new GatewayException(501,
                $"Local {route.Surface} engines ('{target.Provider}') are not part of this server. Route to an OpenAI-compatible " +
                "endpoint instead: model 'openai-compatible/<model>' with OPENAI_COMPATIBLE_BASE_URL set (or base_url in the request).",
                "not_implemented", "model", "backend_unavailable"),
            MediaFamily.Music => new GatewayException(501,
                $"Music backend '{target.Provider}' is a local plugin this gateway does not host. Use provider 'acemusic' with " +
                "ACEMUSIC_BASE_URL (and ACEMUSIC_API_KEY) set on the server, or an OpenAI-compatible music server via " +
                "openai-compatible/<model> and base_url.",
                "not_implemented", "provider", "capability_not_configured"),
            _ => new GatewayException(501,
                $"'{target.Ref}' selects a local {target.Provider} plugin, which this gateway does not host. Use an upstream model " +
                $"(for example '{route.ExampleModel}') or set a default with PUT {route.DefaultPath}.",
                "not_implemented", "model", "capability_not_configured"),
        };
    }
}

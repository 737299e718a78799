using System.Text.Json.Nodes;
using AbstractCore.Embeddings;
using AbstractCore.Providers;

namespace AbstractCore.Api.ControlPlane;

/// <summary>
/// The <c>task</c> of <c>/acore/models/*</c> (specification section 10): its aliases (any case, <c>-</c> as <c>_</c>)
/// normalised, an unknown one a 400 naming it, and a task the target cannot serve a 400 rather than a row that claims
/// otherwise.
/// </summary>
internal static class ResidencyTask
{
    public const string TextGeneration = "text_generation";

    private static readonly Dictionary<string, string> Aliases = Build(new()
    {
        [TextGeneration] = ["text", "chat", "chat_completion", "chat_completions", "llm", "completion"],
        ["image_generation"] = ["image", "vision", "text_to_image", "t2i"],
        ["image_to_image"] = ["i2i", "image_edit", "edit_image"],
        ["image_upscale"] = ["upscale", "super_resolution"],
        ["video_generation"] = ["video"],
        ["text_to_video"] = ["t2v"],
        ["image_to_video"] = ["i2v"],
        ["tts"] = ["speech", "voice", "audio_speech", "text_to_speech"],
        ["stt"] = ["transcription", "transcriptions", "speech_to_text", "audio_transcription", "audio_transcriptions"],
        ["music"] = ["t2m", "text_to_music"],
        ["scene3d"] = ["t23d", "i23d"],
        ["embedding"] = ["embeddings", "text_embedding"],
    });

    /// <summary>Tasks the gateway serves through an OpenAI-compatible upstream's media API (its image, video and audio routes).</summary>
    private static readonly HashSet<string> OpenAIMedia = new(StringComparer.Ordinal)
    {
        "image_generation", "image_to_image", "image_upscale", "video_generation", "text_to_video", "image_to_video", "tts", "stt",
    };

    /// <summary>The request's task, normalised: text generation when absent; 400 when it is not a task.</summary>
    public static string Read(JsonObject body)
    {
        var given = body["task"];
        if (given is null)
        {
            return TextGeneration;
        }

        var text = given is JsonValue v && v.TryGetValue<string>(out var s) ? s : given.ToJsonString();
        if (string.IsNullOrWhiteSpace(text))
        {
            return TextGeneration;
        }

        return Aliases.GetValueOrDefault(text.Trim().ToLowerInvariant().Replace('-', '_'))
            ?? throw GatewayException.BadRequest($"Unknown model residency task: {text}", "task", "unknown_task");
    }

    /// <summary>400 when <paramref name="provider"/> cannot serve <paramref name="task"/>; a provider the catalog does not
    /// know is left to the route's own rules.</summary>
    public static void RequireServed(string provider, string task)
    {
        if (provider == ControlPlaneForwarder.LocalProvider)
        {
            if (task != TextGeneration)
            {
                throw GatewayException.BadRequest(
                    $"Residency of local ONNX models covers text generation only (task '{task}'); local embedding models load on their first request.",
                    "task", "unsupported_task");
            }

            return;
        }

        if (ProviderCatalog.Find(provider) is not { } descriptor)
        {
            return;
        }

        var served = task == TextGeneration
            || (task == "embedding" && EmbeddingProviders.All.Contains(descriptor.Name))
            || (OpenAIMedia.Contains(task) && descriptor.Protocol == ProviderProtocol.OpenAICompatible);
        if (!served)
        {
            throw GatewayException.BadRequest($"Provider '{descriptor.Name}' cannot serve model residency task '{task}'.", "task", "unsupported_task");
        }
    }

    private static Dictionary<string, string> Build(Dictionary<string, string[]> groups)
    {
        var aliases = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (task, names) in groups)
        {
            aliases[task] = task;
            foreach (var name in names)
            {
                aliases[name] = task;
            }
        }

        return aliases;
    }
}

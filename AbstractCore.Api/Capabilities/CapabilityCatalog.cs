using AbstractCore.Api.Audio;
using AbstractCore.Capabilities;
using AbstractCore.Embeddings;
using AbstractCore.Providers;

namespace AbstractCore.Api.Capabilities;

/// <summary>One capability: its tasks, the routes serving it and, per task, which capability-default route applies.</summary>
internal sealed record Capability(string Name, IReadOnlyList<string> Tasks, IReadOnlyList<string> Routes, string Configure)
{
    /// <summary>The capability-default key consulted for a task (<c>output.audio.tts</c>…).</summary>
    public static (string Kind, string Modality) DefaultRouteOf(string task) => task switch
    {
        "embedding" => ("embedding", "text"),
        "stt" => ("input", "audio"),
        "tts" or "voice_clone" or "text_to_music" => ("output", "audio"),
        "video_generation" or "image_to_video" => ("output", "video"),
        _ => ("output", "image"),
    };
}

/// <summary>
/// What this gateway can serve, from configuration: a provider is available for a capability when the server has its
/// key or base URL setting, or a capability default names it. Models are the well-known ids of OpenAI's own audio,
/// embedding and image models, the models the defaults name, and the local Inference service's embedding models (the
/// one upstream asked, through the cached model discovery: it is ours, and its list says which models embed).
/// </summary>
internal sealed class CapabilityCatalog(ProviderResolver providers, ICapabilityDefaultsStore defaults, Models.ModelDiscovery discovery)
{
    public static readonly IReadOnlyList<Capability> All =
    [
        new("embedding", ["embedding"], ["/v1/embeddings"],
            "set OPENAI_API_KEY, OPENROUTER_API_KEY, PORTKEY_API_KEY, OPENAI_COMPATIBLE_BASE_URL, LMSTUDIO_BASE_URL, VLLM_BASE_URL, OLLAMA_BASE_URL " +
            "or ABSTRACTCORE_INFERENCE_URL (local embedding models)"),
        new("voice", ["tts", "stt", "voice_clone"], ["/v1/audio/speech", "/v1/audio/transcriptions", "/v1/voice/clone"],
            "set OPENAI_API_KEY, OPENROUTER_API_KEY, PORTKEY_API_KEY or OPENAI_COMPATIBLE_BASE_URL (an OpenAI-compatible audio server)"),
        new("music", ["text_to_music"], ["/v1/audio/music"],
            "set ACEMUSIC_BASE_URL (and ACEMUSIC_API_KEY), or OPENAI_COMPATIBLE_BASE_URL for a server with /audio/music"),
        new("vision", ["image_generation", "image_edit", "video_generation", "image_to_video"],
            ["/v1/images/generations", "/v1/images/edits", "/v1/videos/generations", "/v1/videos/edits"],
            "set OPENAI_API_KEY or OPENAI_BASE_URL / OPENAI_COMPATIBLE_BASE_URL (an OpenAI-compatible image/video server)"),
    ];

    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["embeddings"] = "embedding", ["audio"] = "voice", ["speech"] = "voice", ["transcription"] = "voice",
        ["image"] = "vision", ["images"] = "vision", ["video"] = "vision", ["videos"] = "vision",
    };

    private static readonly Dictionary<(string Provider, string Task), string[]> KnownModels = new()
    {
        [("openai", "embedding")] = ["text-embedding-3-small", "text-embedding-3-large", "text-embedding-ada-002"],
        [("openai", "tts")] = ["gpt-4o-mini-tts", "tts-1", "tts-1-hd"],
        [("openai", "stt")] = ["gpt-4o-mini-transcribe", "gpt-4o-transcribe", "whisper-1"],
        [("openai", "image_generation")] = ["gpt-image-1", "dall-e-3", "dall-e-2"],
        [("openai", "image_edit")] = ["gpt-image-1", "dall-e-2"],
    };

    public static readonly IReadOnlyList<string> OpenAIVoices =
        ["alloy", "ash", "ballad", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer", "verse", "marin", "cedar"];

    /// <summary>The capability by name or alias; an unknown one is a 404 listing the known ones.</summary>
    public static Capability Find(string name)
    {
        var key = Aliases.GetValueOrDefault(name.Trim(), name.Trim().ToLowerInvariant());
        return All.FirstOrDefault(c => c.Name == key) ?? throw new GatewayException(404,
            $"Unknown capability '{name}'. Known capabilities: {string.Join(", ", All.Select(c => c.Name))}.",
            "not_found_error", "capability", "capability_not_found");
    }

    /// <summary>The tasks asked for: one (checked against the capability) or all of them.</summary>
    public static IReadOnlyList<string> Tasks(Capability capability, string? task)
    {
        if (string.IsNullOrWhiteSpace(task))
        {
            return capability.Tasks;
        }

        var normalized = task.Trim().ToLowerInvariant().Replace('-', '_');
        normalized = normalized switch { "speech" or "text_to_speech" => "tts", "transcription" or "speech_to_text" => "stt", "music" => "text_to_music", _ => normalized };
        return capability.Tasks.Contains(normalized) ? [normalized] : throw GatewayException.BadRequest(
            $"Unknown task '{task}' for capability '{capability.Name}'. Use one of: {string.Join(", ", capability.Tasks)}.", "task");
    }

    /// <summary>Providers that can serve the capability, each with whether this server has it set up.</summary>
    public async Task<IReadOnlyList<ProviderDetail>> ProvidersAsync(Capability capability, IReadOnlyList<string> tasks, CancellationToken cancellationToken)
    {
        var named = (await defaults.ListAsync(cancellationToken)).Where(d => tasks.Any(t => Serves(d, t))).Select(d => d.Provider).OfType<string>().ToHashSet();
        return [.. Candidates(capability).Select(p => new ProviderDetail(
            p.Name, IsAvailable(p) || named.Contains(p.Name), tasks, ConfigureHint(p)))];
    }

    /// <summary>Models per provider for the tasks: known ids for available providers plus every model a default names.</summary>
    public async Task<List<ProviderModel>> ModelsAsync(IReadOnlyList<ProviderDetail> details, IReadOnlyList<string> tasks, CancellationToken cancellationToken)
    {
        var models = new List<ProviderModel>();
        foreach (var detail in details.Where(d => d.Available))
        {
            foreach (var task in tasks)
            {
                models.AddRange(KnownModels.GetValueOrDefault((detail.Provider, task), []).Select(m => new ProviderModel($"{detail.Provider}/{m}", detail.Provider, m, task)));
            }

            if (detail.Provider == EmbeddingProviders.Local && tasks.Contains("embedding"))
            {
                models.AddRange(await LocalEmbeddingModelsAsync(cancellationToken));
            }
        }

        foreach (var route in await defaults.ListAsync(cancellationToken))
        {
            foreach (var task in tasks.Where(t => Serves(route, t)))
            {
                if (route.ModelReference is { } reference && reference.IndexOf('/', StringComparison.Ordinal) is var slash and > 0 &&
                    !models.Any(m => m.Model == reference && m.Task == task))
                {
                    models.Add(new ProviderModel(reference, reference[..slash], reference[(slash + 1)..], task));
                }
            }
        }

        return models;
    }

    /// <summary>The Inference service's embedding models; none when it does not answer (its absence is reported by /v1/models).</summary>
    private async Task<IEnumerable<ProviderModel>> LocalEmbeddingModelsAsync(CancellationToken cancellationToken)
    {
        var outcome = await discovery.ListAsync(ProviderCatalog.Get(EmbeddingProviders.Local), ProviderRequest.Anonymous, cancellationToken);
        return outcome.Models.Where(m => m.Type == AbstractCore.OpenAI.Models.ModelInfo.EmbeddingsType)
            .Select(m => new ProviderModel(m.Id, EmbeddingProviders.Local, m.Id[(EmbeddingProviders.Local.Length + 1)..], "embedding"));
    }

    private static bool Serves(CapabilityDefault route, string task) =>
        Capability.DefaultRouteOf(task) == (route.Kind, route.Modality) && (route.Task is null || route.Task == task);

    private static IEnumerable<ProviderDescriptor> Candidates(Capability capability) => capability.Name switch
    {
        "embedding" => EmbeddingProviders.All.Select(n => ProviderCatalog.Find(n)!),
        "music" => [MusicHandler.AceMusic, .. AudioProviders.OpenAICompatible],
        _ => AudioProviders.OpenAICompatible,
    };

    private bool IsAvailable(ProviderDescriptor provider) =>
        provider == MusicHandler.AceMusic ? providers.ConfiguredBaseUrl(provider) is not null : providers.IsConfigured(provider);

    /// <summary>The settings that make a provider available: its base URL when it has no default, its key when it needs one.</summary>
    private static string ConfigureHint(ProviderDescriptor provider)
    {
        var settings = new[] { provider.DefaultBaseUrl is null ? provider.BaseUrlSettings[0] : null, provider.RequiresKey ? provider.KeySettingName : null }
            .OfType<string>().ToList();
        return settings.Count > 0 ? string.Join(" and ", settings) : provider.BaseUrlSettings[0];
    }
}

using System.Globalization;

namespace AbstractCore.Inference;

/// <summary>The service's settings, read once from configuration (environment variables included).</summary>
internal sealed class InferenceSettings
{
    /// <summary>Folder holding one ONNX Runtime GenAI model per sub-folder; <c>onnx/&lt;folder&gt;</c> selects one.</summary>
    public const string ModelsDirVariable = "ABSTRACTCORE_ONNX_MODELS_DIR";
    public const string MaxConcurrencyVariable = "ABSTRACTCORE_ONNX_MAX_CONCURRENCY";
    public const string MaxQueueVariable = "ABSTRACTCORE_ONNX_MAX_QUEUE";
    public const string DefaultMaxTokensVariable = "ABSTRACTCORE_ONNX_DEFAULT_MAX_TOKENS";
    public const string PromptCacheMbVariable = "ABSTRACTCORE_ONNX_PROMPT_CACHE_MB";
    public const string PromptCacheTtlVariable = "ABSTRACTCORE_ONNX_PROMPT_CACHE_TTL_S";
    public const string ProvidersVariable = "ABSTRACTCORE_ONNX_PROVIDERS";
    public const string IntraOpThreadsVariable = "ABSTRACTCORE_ONNX_INTRA_OP_THREADS";
    public const string AllowSpinningVariable = "ABSTRACTCORE_ONNX_ALLOW_SPINNING";
    public const string StreamIntervalVariable = "ABSTRACTCORE_ONNX_STREAM_INTERVAL_MS";
    public const string DemoModelVariable = "ABSTRACTCORE_ONNX_DEMO_MODEL";
    public const string BlocArtifactsDirVariable = "ABSTRACTCORE_ONNX_BLOC_ARTIFACTS_DIR";

    public string? ModelsDir { get; init; }

    /// <summary>
    /// Where bloc KV artifacts and their manifests are written (<c>/acore/blocs/kv/*</c>). Not the models folder, which
    /// may be mounted read-only; by default beside it under the AbstractCore home, <c>~/.abstractcore/blocs/kv</c>.
    /// </summary>
    public string BlocArtifactsDir { get; init; } = DefaultBlocArtifactsDir;

    private static string DefaultBlocArtifactsDir =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".abstractcore", "blocs", "kv");

    /// <summary>Whether an empty models folder gets the generated <c>demo</c> model, so a first request has an answer.</summary>
    public bool DemoModel { get; init; } = true;

    /// <summary>Generators running at once per model (default: the core count).</summary>
    public int MaxConcurrency { get; init; } = Environment.ProcessorCount;

    /// <summary>Requests waiting per model beyond those running; one more is refused with 429.</summary>
    public int MaxQueue { get; init; } = 64;

    /// <summary>The completion length when a request names no max_tokens (the KV buffer is sized for it).</summary>
    public int DefaultMaxTokens { get; init; } = 4096;

    /// <summary>Memory budget for live prompt-cache KV state per model, in bytes.</summary>
    public long PromptCacheBudgetBytes { get; init; } = 1024L * 1024 * 1024;

    /// <summary>How long an unused prompt-cache key lives when set/update name no ttl_s.</summary>
    public TimeSpan PromptCacheTtl { get; init; } = TimeSpan.FromHours(1);

    /// <summary>ONNX Runtime threads per generation step (null: the runtime's default, every core). Fewer leave cores for HTTP.</summary>
    public int? IntraOpThreads { get; init; }

    /// <summary>
    /// Whether ONNX Runtime's threads spin between a chat model's steps instead of sleeping. Spinning saves a wake-up per
    /// operator when the cores are the model's alone; beside HTTP threads on a small machine it burns the cores they need.
    /// </summary>
    public bool AllowSpinning { get; init; } = true;

    /// <summary>
    /// How long streams let tokens gather between two writes (each token still its own chunk), all on one beat
    /// (<see cref="Generation.StreamClock"/>). Every write wakes a thread in Inference, the gateway and the client, which
    /// on a small machine takes cores from the model; 0 writes each token at once. The first token always leaves at once.
    /// </summary>
    public TimeSpan StreamInterval { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Execution providers appended in order (CPU is always the fallback); the CUDA build defaults to cuda.</summary>
    public IReadOnlyList<string> Providers { get; init; } = DefaultProviders;

#if ONNX_CUDA
    private static readonly string[] DefaultProviders = ["cuda"];
#else
    private static readonly string[] DefaultProviders = [];
#endif

    public static InferenceSettings From(IConfiguration configuration)
    {
        int Int(string name, int fallback, int min) =>
            int.TryParse(configuration[name], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)
                ? v >= min ? v : throw new InvalidOperationException($"{name} must be {min} or more (was {v}).")
                : fallback;
        double Number(string name, double fallback) =>
            double.TryParse(configuration[name], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : fallback;

        bool Bool(string name, bool fallback) => configuration[name]?.Trim().ToLowerInvariant() switch
        {
            null or "" => fallback,
            "true" or "1" or "yes" or "on" => true,
            "false" or "0" or "no" or "off" => false,
            var other => throw new InvalidOperationException($"{name} must be true or false (was {other})."),
        };

        var defaults = new InferenceSettings();
        var providers = configuration[ProvidersVariable];
        return new InferenceSettings
        {
            ModelsDir = string.IsNullOrWhiteSpace(configuration[ModelsDirVariable]) ? null : configuration[ModelsDirVariable]!.Trim(),
            DemoModel = Bool(DemoModelVariable, defaults.DemoModel),
            BlocArtifactsDir = string.IsNullOrWhiteSpace(configuration[BlocArtifactsDirVariable])
                ? defaults.BlocArtifactsDir
                : Path.GetFullPath(configuration[BlocArtifactsDirVariable]!.Trim()),
            MaxConcurrency = Int(MaxConcurrencyVariable, defaults.MaxConcurrency, 1),
            MaxQueue = Int(MaxQueueVariable, defaults.MaxQueue, 0),
            DefaultMaxTokens = Int(DefaultMaxTokensVariable, defaults.DefaultMaxTokens, 1),
            PromptCacheBudgetBytes = (long)(Number(PromptCacheMbVariable, 1024) * 1024 * 1024),
            PromptCacheTtl = TimeSpan.FromSeconds(Number(PromptCacheTtlVariable, defaults.PromptCacheTtl.TotalSeconds)),
            StreamInterval = TimeSpan.FromMilliseconds(Int(StreamIntervalVariable, (int)defaults.StreamInterval.TotalMilliseconds, 0)),
            IntraOpThreads = string.IsNullOrWhiteSpace(configuration[IntraOpThreadsVariable]) ? null : Int(IntraOpThreadsVariable, 0, 1),
            AllowSpinning = Bool(AllowSpinningVariable, defaults.AllowSpinning),
            Providers = providers is null
                ? defaults.Providers
                : providers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        };
    }
}

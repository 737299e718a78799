using Microsoft.Extensions.Configuration;

namespace AbstractCore.AppHost;

/// <summary>What the AppHost hands the services from its own configuration (environment, user secrets).</summary>
internal static class ServiceSettings
{
    public const string ApiReplicasKey = "Api:Replicas";

    /// <summary>The Aspire parameter naming Inference's models folder (<c>Parameters:onnx-models-dir</c>).</summary>
    public const string OnnxModelsDirParameter = "onnx-models-dir";

    /// <summary>What Inference reads the models folder from (<c>InferenceSettings.ModelsDirVariable</c>).</summary>
    public const string OnnxModelsDirVariable = "ABSTRACTCORE_ONNX_MODELS_DIR";

    /// <summary>The chat providers' keys (the rest of <see cref="ApiSecretVariables"/> are not chat keys).</summary>
    private static readonly string[] ChatKeyVariables =
    [
        "OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
        "OPENROUTER_API_KEY",
        "PORTKEY_API_KEY",
        "OPENAI_COMPATIBLE_API_KEY",
        "VLLM_API_KEY",
        "AZURE_OPENAI_API_KEY",
    ];

    /// <summary>The chat providers' base URLs (keyless local servers are configured by these alone).</summary>
    private static readonly string[] ChatBaseUrlVariables =
    [
        "OPENAI_BASE_URL",
        "ANTHROPIC_BASE_URL",
        "OPENROUTER_BASE_URL",
        "OLLAMA_BASE_URL",
        "LMSTUDIO_BASE_URL",
        "VLLM_BASE_URL",
        "OPENAI_COMPATIBLE_BASE_URL",
        "AZURE_OPENAI_ENDPOINT", // without a key, Azure is reached with the service's own Entra ID identity
    ];

    /// <summary>Passed to the api as secret parameters, each only when set.</summary>
    public static readonly string[] ApiSecretVariables =
        ["ABSTRACTCORE_AUTH_TOKEN", .. ChatKeyVariables, "ACEMUSIC_API_KEY", "ELEVENLABS_API_KEY", "ABSTRACTCORE_MUSIC_API_KEY"];

    /// <summary>Passed to the api as plain environment variables, each only when set.</summary>
    public static readonly string[] ApiVariables =
        ["ABSTRACTCORE_SERVER_ALLOW_UNAUTHENTICATED", .. ChatBaseUrlVariables, "AZURE_OPENAI_API_VERSION", "AZURE_OPENAI_DEPLOYMENTS",
            "ABSTRACTCORE_VISION_MODEL_ID", "ABSTRACTCORE_MUSIC_BASE_URL", "ABSTRACTCORE_BLOCS_DIR"];

    /// <summary>Passed to Inference as plain environment variables, each only when set (the models folder is a parameter).</summary>
    public static readonly string[] InferenceVariables =
    [
        "ABSTRACTCORE_ONNX_MAX_CONCURRENCY",
        "ABSTRACTCORE_ONNX_MAX_QUEUE",
        "ABSTRACTCORE_ONNX_DEFAULT_MAX_TOKENS",
        "ABSTRACTCORE_ONNX_PROMPT_CACHE_MB",
        "ABSTRACTCORE_ONNX_PROMPT_CACHE_TTL_S",
        "ABSTRACTCORE_ONNX_PROVIDERS",
        "ABSTRACTCORE_ONNX_INTRA_OP_THREADS",
        "ABSTRACTCORE_ONNX_ALLOW_SPINNING",
        "ABSTRACTCORE_ONNX_STREAM_INTERVAL_MS",
        "ABSTRACTCORE_ONNX_BLOC_ARTIFACTS_DIR",
        OnnxDemoModelVariable,
    ];

    /// <summary>Whether Inference writes its demo model into an empty models folder (Inference's default: true).</summary>
    public const string OnnxDemoModelVariable = "ABSTRACTCORE_ONNX_DEMO_MODEL";

    /// <summary>
    /// The settings that give the api a chat provider of its own (a key, or a base URL for the keyless local servers).
    /// Music and speech keys are left out: with only those, the demo model is still the one thing to chat with.
    /// </summary>
    public static readonly string[] ChatProviderVariables = [.. ChatKeyVariables, .. ChatBaseUrlVariables];

    /// <summary>
    /// Whether a chat provider is configured, read where <see cref="OptionalSettingsExtensions"/> reads it: the variable,
    /// or for a key its user-secret parameter (<c>Parameters:openai-api-key</c>).
    /// </summary>
    public static bool HasChatProvider(IConfiguration configuration) => ChatProviderVariables.Any(variable =>
        !string.IsNullOrWhiteSpace(configuration[variable])
        || !string.IsNullOrWhiteSpace(configuration[$"Parameters:{variable.ToLowerInvariant().Replace('_', '-')}"]));

    /// <summary>
    /// Inference's models folder: the parameter when given (<c>--Parameters:onnx-models-dir=…</c>, user secrets),
    /// else <c>ABSTRACTCORE_ONNX_MODELS_DIR</c> from the AppHost's environment, else <c>~/.abstractcore/models</c>.
    /// A leading <c>~</c> is the home folder and a relative path is taken from the AppHost's working folder, because
    /// Inference runs in its own project folder where the same relative path would point elsewhere.
    /// </summary>
    public static string OnnxModelsDir(IConfiguration configuration)
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var configured = new[] { configuration[$"Parameters:{OnnxModelsDirParameter}"], configuration[OnnxModelsDirVariable] }
            .FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim();
        if (configured is null)
        {
            return Path.Combine(home, ".abstractcore", "models");
        }

        if (configured == "~" || configured.StartsWith("~/", StringComparison.Ordinal))
        {
            configured = Path.Combine(home, configured.TrimStart('~').TrimStart('/'));
        }

        return Path.GetFullPath(configured);
    }

    public static int ApiReplicas(IConfiguration configuration)
    {
        var replicas = configuration.GetValue(ApiReplicasKey, 1);
        return replicas >= 1
            ? replicas
            : throw new InvalidOperationException($"{ApiReplicasKey} must be 1 or more (was {replicas}).");
    }
}

using AbstractCore.Providers;

namespace AbstractCore.Embeddings;

/// <summary>Which providers can embed, and how: the OpenAI-compatible ones through their <c>/embeddings</c> (the local
/// Inference service, <c>onnx</c>, among them), Ollama through its native <c>/api/embed</c>, Azure through Semantic
/// Kernel's connector.</summary>
public static class EmbeddingProviders
{
    /// <summary>The local provider: sentence-embedding exports served by AbstractCore.Inference.</summary>
    public const string Local = "onnx";

    /// <summary>The original's name for its local embedding models: <c>huggingface/&lt;repo id&gt;</c> reaches the same
    /// service, which serves the folder named after the id's last part.</summary>
    public const string LocalAlias = "huggingface";

    public static readonly IReadOnlyList<string> Direct = ["openai", "openrouter", "portkey", "openai-compatible", "lmstudio", "vllm", Local];

    public static readonly IReadOnlyList<string> All = [.. Direct, "ollama", "azure"];

    public static bool IsDirect(string provider) => Direct.Contains(provider);

    /// <summary>The provider when it can embed (<see cref="LocalAlias"/> is <see cref="Local"/>); a 400 listing the ones that can otherwise.</summary>
    public static ProviderDescriptor Require(string provider)
    {
        var name = provider.Equals(LocalAlias, StringComparison.OrdinalIgnoreCase) ? Local : provider;
        if (All.Contains(name) && ProviderCatalog.Find(name) is { } descriptor)
        {
            return descriptor;
        }

        var message = $"Embedding provider '{provider}' not supported. Supported providers: {string.Join(", ", All)} ({LocalAlias} is {Local}).";
        if (provider == "anthropic")
        {
            message += " Anthropic does not expose a native embeddings API; use another embeddings provider.";
        }

        throw GatewayException.BadRequest(message, "model", "unsupported_provider");
    }
}

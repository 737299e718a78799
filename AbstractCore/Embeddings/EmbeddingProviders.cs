using AbstractCore.Providers;

namespace AbstractCore.Embeddings;

/// <summary>Which providers can embed, and how: the OpenAI-compatible ones through their <c>/embeddings</c>,
/// Ollama through its native <c>/api/embed</c>, Azure through Semantic Kernel's connector.</summary>
public static class EmbeddingProviders
{
    public static readonly IReadOnlyList<string> Direct = ["openai", "openrouter", "portkey", "openai-compatible", "lmstudio", "vllm"];

    public static readonly IReadOnlyList<string> All = [.. Direct, "ollama", "azure"];

    public static bool IsDirect(string provider) => Direct.Contains(provider);

    /// <summary>The provider when it can embed; a 400 listing the ones that can otherwise.</summary>
    public static ProviderDescriptor Require(string provider)
    {
        if (All.Contains(provider) && ProviderCatalog.Find(provider) is { } descriptor)
        {
            return descriptor;
        }

        var message = $"Embedding provider '{provider}' not supported. Supported providers: {string.Join(", ", All)}.";
        if (provider == "anthropic")
        {
            message += " Anthropic does not expose a native embeddings API; use another embeddings provider.";
        }

        throw GatewayException.BadRequest(message, "model", "unsupported_provider");
    }
}

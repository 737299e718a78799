namespace AbstractCore.Providers;

/// <summary>The providers the gateway routes to, with the settings the specification names.</summary>
public static class ProviderCatalog
{
    public static readonly IReadOnlyList<ProviderDescriptor> All =
    [
        new("openai", ["OPENAI_BASE_URL"], "https://api.openai.com/v1", ["OPENAI_API_KEY"], RequiresKey: true),
        new("openai-compatible", ["OPENAI_COMPATIBLE_BASE_URL", "OPENAI_BASE_URL"], null,
            ["OPENAI_COMPATIBLE_API_KEY", "OPENAI_API_KEY"]),
        new("lmstudio", ["LMSTUDIO_BASE_URL"], "http://localhost:1234/v1", []),
        new("vllm", ["VLLM_BASE_URL"], "http://localhost:8000/v1", ["VLLM_API_KEY"]),
        new("openrouter", ["OPENROUTER_BASE_URL"], "https://openrouter.ai/api/v1", ["OPENROUTER_API_KEY"], RequiresKey: true),
        new("portkey", ["PORTKEY_BASE_URL"], "https://api.portkey.ai/v1", ["PORTKEY_API_KEY"], RequiresKey: true,
            AuthStyle: ProviderAuthStyle.Portkey),
        new("anthropic", ["ANTHROPIC_BASE_URL"], "https://api.anthropic.com", ["ANTHROPIC_API_KEY"], RequiresKey: true,
            Protocol: ProviderProtocol.Anthropic),
        new("ollama", ["OLLAMA_BASE_URL", "OLLAMA_HOST"], "http://localhost:11434", [], Protocol: ProviderProtocol.Ollama),

        // Azure OpenAI through Semantic Kernel's connector: the resource endpoint, its key, or else Entra ID (the server's identity).
        new("azure", ["AZURE_OPENAI_ENDPOINT"], null, ["AZURE_OPENAI_API_KEY"], Protocol: ProviderProtocol.AzureOpenAI,
            IdentitySetting: "AZURE_OPENAI_ENDPOINT"),

        // Reserved for the local ONNX Runtime GenAI service (AbstractCore.Inference), which speaks OpenAI's protocol.
        new("onnx", ["ABSTRACTCORE_INFERENCE_URL"], null, []),
    ];

    private static readonly Dictionary<string, ProviderDescriptor> ByName =
        All.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    public static string KnownNames { get; } = string.Join(", ", All.Select(p => p.Name));

    public static ProviderDescriptor? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>The named provider, or the 404 a client gets for a name we do not know.</summary>
    public static ProviderDescriptor Get(string name) =>
        Find(name) ?? throw new GatewayException(404,
            $"Unknown provider '{name}'. Known providers: {KnownNames}.",
            "invalid_request_error", "model", "model_not_found");
}

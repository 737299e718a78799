namespace AbstractCore.Routing;

/// <summary>A <c>provider/model</c> reference. Split at the first '/', so <c>openrouter/openai/gpt-4o</c> is
/// provider <c>openrouter</c>, model <c>openai/gpt-4o</c>.</summary>
public readonly record struct ModelRef(string Provider, string Model)
{
    public override string ToString() => $"{Provider}/{Model}";

    public static ModelRef Parse(string model)
    {
        var slash = model.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            return new ModelRef(model[..slash].Trim().ToLowerInvariant(), Named(model[(slash + 1)..], model));
        }

        var bare = model.Trim();
        return new ModelRef(DetectProvider(bare), bare);
    }

    /// <summary>On a provider route the path provider wins; a body model may repeat it (<c>openai/gpt-4o</c> on <c>/openai/v1/…</c>).</summary>
    public static ModelRef ForPath(string model, string? pathProvider)
    {
        if (pathProvider is null)
        {
            return Parse(model);
        }

        var prefix = pathProvider + "/";
        var bare = model.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? model[prefix.Length..] : model;
        return new ModelRef(pathProvider.ToLowerInvariant(), Named(bare, model));
    }

    /// <summary>
    /// <c>openai-compatible/</c> names a provider and no model: refused here, where every request's model is split,
    /// rather than sent on as an empty model (which a provider SDK refuses with an error that read like the upstream's).
    /// </summary>
    private static string Named(string bare, string model) =>
        string.IsNullOrWhiteSpace(bare)
            ? throw GatewayException.BadRequest($"'model' names no model after the provider ('{model.Trim()}'): use 'provider/model'.", "model")
            : bare.Trim();

    private static readonly string[] OllamaFamilies = ["llama", "mistral", "gemma", "phi", "qwen"];

    /// <summary>The original's auto-detection for bare model names (its order kept).</summary>
    private static string DetectProvider(string model)
    {
        var m = model.ToLowerInvariant();
        if (m.Contains("gpt-", StringComparison.Ordinal) || m.Contains("text-davinci", StringComparison.Ordinal) ||
            m.Contains("text-embedding", StringComparison.Ordinal))
        {
            return "openai";
        }

        if (m.Contains("claude", StringComparison.Ordinal))
        {
            return "anthropic";
        }

        if (OllamaFamilies.Any(f => m.Contains(f, StringComparison.Ordinal)))
        {
            return "ollama";
        }

        if (m.Contains("-4bit", StringComparison.Ordinal) || m.Contains("mlx-community", StringComparison.Ordinal))
        {
            return "mlx";
        }

        return "ollama";
    }
}

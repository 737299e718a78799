namespace AbstractCore.Chat.AgentFormats;

/// <summary>How tool calls reach the client: structured (<see cref="OpenAI"/>, <see cref="Codex"/>), as text in
/// one model family's syntax, or untouched (<see cref="Passthrough"/>).</summary>
public enum AgentFormat
{
    OpenAI,
    Codex,
    Qwen3,
    Llama3,
    Gemma,
    Xml,
    Passthrough,
}

public static class AgentFormats
{
    /// <summary>
    /// The requested format, or the original server's auto-detection (user agent, then model family) when
    /// absent or "auto"; any other value is a 400 naming the ones allowed. One deliberate difference: an OpenAI model or an official OpenAI SDK client
    /// gets structured calls, where the original chose passthrough and so streamed no tool calls at all.
    /// </summary>
    public static AgentFormat Resolve(string? requested, string providerAndModel, string? userAgent)
    {
        switch (requested?.Trim().ToLowerInvariant())
        {
            case "openai": return AgentFormat.OpenAI;
            case "codex": return AgentFormat.Codex;
            case "qwen3": return AgentFormat.Qwen3;
            case "llama3": return AgentFormat.Llama3;
            case "gemma": return AgentFormat.Gemma;
            case "xml": return AgentFormat.Xml;
            case "passthrough": return AgentFormat.Passthrough;
            case null or "" or "auto": break;
            default:
                throw GatewayException.BadRequest(
                    $"'agent_format' value '{requested}' is not one of auto, openai, codex, qwen3, llama3, gemma, xml, passthrough.", "agent_format");
        }

        var ua = userAgent ?? "";
        if (ua.Contains("codex", StringComparison.OrdinalIgnoreCase))
        {
            return AgentFormat.Codex;
        }

        var model = providerAndModel.ToLowerInvariant();
        if (ua.StartsWith("OpenAI/", StringComparison.OrdinalIgnoreCase) || ua.Contains("openai-dotnet", StringComparison.OrdinalIgnoreCase) ||
            model.StartsWith("openai/", StringComparison.Ordinal) || model.Contains("gpt-", StringComparison.Ordinal))
        {
            return AgentFormat.OpenAI;
        }

        // Families are read from the model name only: "ollama/gemma3" must not match "llama" (the original did).
        model = model[(model.IndexOf('/', StringComparison.Ordinal) + 1)..];
        return model switch
        {
            _ when model.Contains("qwen", StringComparison.Ordinal) => AgentFormat.Qwen3,
            _ when model.Contains("llama", StringComparison.Ordinal) => AgentFormat.Llama3,
            _ when model.Contains("gemma", StringComparison.Ordinal) => AgentFormat.Gemma,
            _ when model.Contains("claude", StringComparison.Ordinal) => AgentFormat.Xml,
            _ => AgentFormat.OpenAI,
        };
    }

    /// <summary>Formats whose tool calls are written into the content as text.</summary>
    public static bool IsText(this AgentFormat format) =>
        format is AgentFormat.Qwen3 or AgentFormat.Llama3 or AgentFormat.Gemma or AgentFormat.Xml;

    /// <summary>Formats whose clients expect structured calls, so calls a model wrote as text are parsed.</summary>
    public static bool IsStructured(this AgentFormat format) => format is AgentFormat.OpenAI or AgentFormat.Codex;
}

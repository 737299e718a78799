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

public static class AgentFormatRules
{
    /// <summary>
    /// The requested format, or, when absent, "auto" or not a known one, structured calls (Codex's for the Codex CLI).
    /// An unknown value is not refused, as in the original (it fell back to auto-detection with a logged warning): it
    /// adds a warning to <paramref name="warnings"/>, which the client receives in <c>X-AbstractCore-Warning</c>.
    /// Deliberate difference: the original picked a text syntax from the model family (claude → xml, llama → llama3, …)
    /// for every client but OpenAI's, so clients that read only <c>tool_calls</c> (the Vercel AI SDK, LangChain) lost
    /// their calls; a text syntax is now rendered only when asked for, on top of the structured calls. The original
    /// names no text-parsing agent by user agent, so none is detected.
    /// </summary>
    public static AgentFormat Resolve(string? requested, string? userAgent, ICollection<string>? warnings = null)
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
                warnings?.Add($"agent_format '{requested}' is not one of {Known}; auto-detection used");
                break;
        }

        return (userAgent ?? "").Contains("codex", StringComparison.OrdinalIgnoreCase) ? AgentFormat.Codex : AgentFormat.OpenAI;
    }

    /// <summary>The values <c>agent_format</c> takes, in messages.</summary>
    public const string Known = "auto, openai, codex, qwen3, llama3, gemma, xml, passthrough";

    /// <summary>Formats whose tool calls are written into the content as text.</summary>
    public static bool IsText(this AgentFormat format) =>
        format is AgentFormat.Qwen3 or AgentFormat.Llama3 or AgentFormat.Gemma or AgentFormat.Xml;

    /// <summary>Formats whose clients expect structured calls, so calls a model wrote as text are parsed.</summary>
    public static bool IsStructured(this AgentFormat format) => format is AgentFormat.OpenAI or AgentFormat.Codex;
}

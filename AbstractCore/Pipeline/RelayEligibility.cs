using AbstractCore.Chat.AgentFormats;

namespace AbstractCore.Pipeline;

/// <summary>
/// Which agent formats a relayed answer serves: those that pass calls on as OpenAI structures (an unknown name falls
/// back to them, with its warning added by the plan). A text format (the calls written as markup) goes to the
/// translating path. The messages' part of the decision is the Api's <c>ChatRequestHead</c>'s.
/// </summary>
internal static class RelayEligibility
{
    public static bool Relays(string? requested, string? userAgent) =>
        AgentFormatRules.Resolve(requested, userAgent) is AgentFormat.OpenAI or AgentFormat.Codex or AgentFormat.Passthrough;
}

using AbstractCore.Chat.AgentFormats;

namespace AbstractCore.Pipeline;

/// <summary>
/// Which agent formats a relayed answer serves: those that pass calls on as OpenAI structures. A text format (the
/// calls written as markup) or an unknown name (refused there with its 400) goes to the translating path. The
/// messages' part of the decision is the Api's <c>ChatRequestHead</c>'s.
/// </summary>
internal static class RelayEligibility
{
    public static bool Relays(string? requested, string? userAgent)
    {
        try
        {
            return AgentFormatRules.Resolve(requested, userAgent) is AgentFormat.OpenAI or AgentFormat.Codex or AgentFormat.Passthrough;
        }
        catch (GatewayException)
        {
            return false;
        }
    }
}

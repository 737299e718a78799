using AbstractCore.Chat.AgentFormats;
using AbstractCore.OpenAI.Chat;

namespace AbstractCore.Api.Chat.Relay;

/// <summary>
/// Which chat requests an OpenAI-compatible upstream can receive as the client's own bytes: those the translating path
/// would send unchanged. Anything it would rewrite (content parts, attachments, reasoning sent back, tool-call markup in
/// an assistant turn, a text <c>agent_format</c>) or refuse goes there instead, so the answer (or the 400 naming the
/// field) is the same either way.
/// </summary>
public static class RelayEligibility
{
    public static bool Accepts(ChatCompletionRequest request, AgentFormat? format)
    {
        if (format is not (AgentFormat.OpenAI or AgentFormat.Codex or AgentFormat.Passthrough))
        {
            return false;
        }

        foreach (var message in request.Messages!)
        {
            if (message.Role is not ("system" or "developer" or "user" or "assistant" or "tool") || message.ReasoningContent is not null)
            {
                return false;
            }

            string? text = null;
            if (message.Content is { } content)
            {
                if (content.ValueKind == System.Text.Json.JsonValueKind.String)
                {
                    text = content.GetString();
                }
                else if (content.ValueKind != System.Text.Json.JsonValueKind.Null)
                {
                    return false;
                }
            }

            if (message.Role == "tool" && string.IsNullOrEmpty(message.ToolCallId))
            {
                return false;
            }

            if (message.ToolCalls is { Count: > 0 } calls)
            {
                foreach (var call in calls)
                {
                    if (string.IsNullOrEmpty(call.Id) || string.IsNullOrEmpty(call.Function?.Name))
                    {
                        return false;
                    }
                }

                if (text is not null && ToolCallText.ContainsCall(text))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>The format asked for, when it is one of the known names (an unknown one is refused by the translating path).</summary>
    public static AgentFormat? Format(string? requested, string? userAgent)
    {
        try
        {
            return AgentFormats.Resolve(requested, userAgent);
        }
        catch (GatewayException)
        {
            return null;
        }
    }
}

using System.Text.Json;
using AbstractCore.Chat;
using AbstractCore.OpenAI.Chat;

namespace AbstractCore.Providers.OpenAICompatible;

/// <summary>
/// <c>thinking</c> for OpenAI-compatible upstreams, in each one's own dialect: OpenAI and Portkey take
/// <c>reasoning_effort</c> (reasoning models only), OpenRouter its <c>reasoning</c> object, local servers
/// (LM Studio, vLLM, others) the chat template's <c>enable_thinking</c>. Unsupported levels degrade with a warning.
/// </summary>
internal static class OpenAIThinking
{
    public static List<(string Name, string Json)> Fields(
        string provider, string model, ChatCompletionRequest request, ICollection<string> warnings)
    {
        var mode = Thinking.From(request); // validates both fields
        List<(string, string)> fields = [];
        if (request.Thinking is null && request.ReasoningEffort is { } effort)
        {
            // The client spoke OpenAI's own field: forwarded as written, whatever the upstream.
            fields.Add(("reasoning_effort", Quote(effort)));
            return fields;
        }

        if (mode == ThinkingMode.Default)
        {
            return fields;
        }

        switch (provider)
        {
            case "openai" or "portkey":
                if (!IsReasoningModel(model))
                {
                    warnings.Add($"thinking ignored: {model} takes no reasoning control");
                    break;
                }

                fields.Add(("reasoning_effort", Quote(mode switch
                {
                    ThinkingMode.Off => "none",
                    ThinkingMode.On => "medium",
                    ThinkingMode.Low => "low",
                    ThinkingMode.Medium => "medium",
                    ThinkingMode.High => "high",
                    _ => "xhigh",
                })));
                break;
            case "openrouter":
                fields.Add(("reasoning", mode switch
                {
                    ThinkingMode.Off => """{"enabled":false}""",
                    ThinkingMode.On => """{"enabled":true}""",
                    ThinkingMode.XHigh => Degrade(warnings, "xhigh", "high", """{"effort":"high"}"""),
                    _ => $$"""{"effort":{{Quote(mode.ToString().ToLowerInvariant())}}}""",
                }));
                break;
            default:
                // Local servers: Qwen3-style templates switch thinking on or off; levels only mean "on".
                if (mode is ThinkingMode.Low or ThinkingMode.Medium or ThinkingMode.High or ThinkingMode.XHigh)
                {
                    warnings.Add($"thinking level {mode.ToString().ToLowerInvariant()} sent to {provider} as on (its template has no levels)");
                }

                fields.Add(("chat_template_kwargs", mode == ThinkingMode.Off ? """{"enable_thinking":false}""" : """{"enable_thinking":true}"""));
                break;
        }

        return fields;
    }

    /// <summary>o-series, gpt-5 and gpt-oss models take <c>reasoning_effort</c>; others reject it.</summary>
    private static bool IsReasoningModel(string model)
    {
        var m = model.ToLowerInvariant();
        var name = m[(m.LastIndexOf('/') + 1)..];
        return name.StartsWith("gpt-5", StringComparison.Ordinal) || name.StartsWith("gpt-oss", StringComparison.Ordinal) ||
               (name.Length > 1 && name[0] == 'o' && char.IsDigit(name[1]));
    }

    private static string Degrade(ICollection<string> warnings, string asked, string used, string json)
    {
        warnings.Add($"thinking {asked} is not supported here; used {used}");
        return json;
    }

    private static string Quote(string value) => JsonSerializer.Serialize(value, ChatJsonContext.Default.String);
}

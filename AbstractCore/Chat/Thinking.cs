using System.Text.Json;
using AbstractCore.OpenAI.Chat;

namespace AbstractCore.Chat;

/// <summary>The requested reasoning control, normalised from <c>thinking</c> (or OpenAI's <c>reasoning_effort</c>).</summary>
public enum ThinkingMode
{
    /// <summary>null, "auto" or "": the provider's default, nothing sent.</summary>
    Default,
    Off,
    On,
    Low,
    Medium,
    High,
    XHigh,
}

internal static class Thinking
{
    public const string Allowed = "null, auto, on, off, none, minimal, low, medium, high, xhigh (or true/false)";

    /// <summary>Reads <c>thinking</c>, falling back to <c>reasoning_effort</c>; an unknown value is a 400.</summary>
    public static ThinkingMode From(ChatCompletionRequest request) =>
        request.Thinking is { ValueKind: not JsonValueKind.Null } thinking
            ? Parse(thinking, "thinking")
            : request.ReasoningEffort is { } effort ? ParseText(effort, "reasoning_effort") : ThinkingMode.Default;

    private static ThinkingMode Parse(JsonElement value, string param) => value.ValueKind switch
    {
        JsonValueKind.True => ThinkingMode.On,
        JsonValueKind.False => ThinkingMode.Off,
        JsonValueKind.String => ParseText(value.GetString()!, param),
        _ => throw GatewayException.BadRequest($"'{param}' must be one of {Allowed}.", param),
    };

    private static ThinkingMode ParseText(string text, string param) => text.Trim().ToLowerInvariant() switch
    {
        "" or "auto" => ThinkingMode.Default,
        "on" or "true" or "yes" => ThinkingMode.On,
        "off" or "false" or "no" or "none" => ThinkingMode.Off,
        "minimal" or "low" => ThinkingMode.Low,
        "medium" => ThinkingMode.Medium,
        "high" => ThinkingMode.High,
        "xhigh" or "extra high" or "max" => ThinkingMode.XHigh,
        _ => throw GatewayException.BadRequest($"'{param}' value '{text}' is not one of {Allowed}.", param),
    };
}

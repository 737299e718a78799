using System.Text.Json;
using AbstractCore.OpenAI.Chat;

namespace AbstractCore.Chat;

/// <summary>
/// The ranges OpenAI enforces on sampling fields, checked before any upstream is called: an out-of-range value is
/// the client's mistake (400 naming the field), not something for each provider to clamp, ignore or answer with a 500.
/// </summary>
public static class ChatRequestRules
{
    public static void Validate(ChatCompletionRequest request)
    {
        Range(request.Temperature, 0, 2, "temperature");
        Range(request.TopP, 0, 1, "top_p");
        Range(request.PresencePenalty, -2, 2, "presence_penalty");
        Range(request.FrequencyPenalty, -2, 2, "frequency_penalty");
        Positive(request.MaxTokens, "max_tokens");
        Positive(request.MaxCompletionTokens, "max_completion_tokens");
        Range(request.TopLogprobs, 0, 20, "top_logprobs");
        if (request.Extra?.TryGetValue("timeout_s", out var timeout) == true && timeout.ValueKind != JsonValueKind.Null &&
            (timeout.ValueKind != JsonValueKind.Number || !timeout.TryGetDouble(out var seconds) || seconds <= 0))
        {
            throw GatewayException.BadRequest("'timeout_s' must be a positive number of seconds.", "timeout_s");
        }
    }

    public static void Positive(int? value, string param)
    {
        if (value is < 1)
        {
            throw GatewayException.BadRequest($"'{param}' must be a positive integer, not {value}.", param);
        }
    }

    private static void Range(double? value, double min, double max, string param)
    {
        if (value is { } v && (v < min || v > max))
        {
            throw GatewayException.BadRequest(
                FormattableString.Invariant($"'{param}' must be between {min} and {max}, not {v}."), param);
        }
    }
}

using System.Text.Json;
using AbstractCore.OpenAI.Chat;

namespace AbstractCore.Chat;

/// <summary>
/// The ranges OpenAI enforces on sampling fields, checked before any upstream is called: an out-of-range value is
/// the client's mistake (400 naming the field), not something for each provider to clamp, ignore or answer with a 500.
/// </summary>
public static class ChatRequestRules
{
    /// <param name="toolsOffered">Whether the body offers tools, when the caller read it without keeping them (the relay's
    /// head); null: from <see cref="ChatCompletionRequest.Tools"/>.</param>
    public static void Validate(ChatCompletionRequest request, bool? toolsOffered = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        Range(request.Temperature, 0, 2, "temperature");
        Range(request.TopP, 0, 1, "top_p");
        Range(request.PresencePenalty, -2, 2, "presence_penalty");
        Range(request.FrequencyPenalty, -2, 2, "frequency_penalty");
        Positive(request.MaxTokens, "max_tokens");
        Positive(request.MaxCompletionTokens, "max_completion_tokens");
        Range(request.TopLogprobs, 0, 20, "top_logprobs");
        // Zero or less is no deadline, as in the original; only a value that is not a number is the client's mistake.
        if (request.Extra?.TryGetValue("timeout_s", out var timeout) == true && timeout.ValueKind != JsonValueKind.Null &&
            (timeout.ValueKind != JsonValueKind.Number || !timeout.TryGetDouble(out _)))
        {
            throw GatewayException.BadRequest("'timeout_s' must be a number of seconds (0 or less: no deadline).", "timeout_s");
        }

        ResponseFormat(request.ResponseFormat, toolsOffered ?? request.Tools is { ValueKind: JsonValueKind.Array } tools && tools.GetArrayLength() > 0);
    }

    /// <summary>
    /// <c>response_format</c>, for every provider (the original checked it before creating any): text, json_object or
    /// json_schema with a schema, else 400 <c>invalid_response_format</c>; a structured format beside tools is 400
    /// <c>unsupported_parameter</c>, since the answer must then be either the JSON or a tool call.
    /// </summary>
    private static void ResponseFormat(JsonElement? format, bool toolsOffered)
    {
        if (format is null or { ValueKind: JsonValueKind.Null })
        {
            return;
        }

        var f = format.Value;
        var type = f.ValueKind == JsonValueKind.Object && f.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        var valid = type switch
        {
            "text" or "json_object" => true,
            "json_schema" => f.TryGetProperty("json_schema", out var js) && js.ValueKind == JsonValueKind.Object &&
                             js.TryGetProperty("schema", out var schema) && schema.ValueKind == JsonValueKind.Object,
            _ => false,
        };
        if (!valid)
        {
            throw GatewayException.BadRequest(
                "response_format.type must be text, json_object or json_schema (with json_schema.schema).", "response_format", InvalidResponseFormat);
        }

        if (type != "text" && toolsOffered)
        {
            throw GatewayException.BadRequest(
                "response_format cannot be combined with tools: the answer is either the requested JSON or a tool call. Send one or the other.",
                "response_format", UnsupportedParameter);
        }
    }

    public const string InvalidResponseFormat = "invalid_response_format";
    public const string UnsupportedParameter = "unsupported_parameter";

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

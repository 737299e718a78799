using System.Globalization;
using System.Text.Json;
using AbstractCore.Inference.Blocs;
using AbstractCore.Inference.Hosting;
using AbstractCore.OpenAI.Chat;

namespace AbstractCore.Inference.Generation;

/// <summary>A validated chat request: the messages (and offered tools) as the chat template wants them, limits and options.</summary>
internal sealed record ChatInput(
    string MessagesJson, int? MaxTokens, IReadOnlyList<string> Stop, SamplingOptions Sampling,
    string? CacheKey, bool Stream, bool IncludeUsage, string? BindingId = null, string? ToolsJson = null)
{
    private static readonly HashSet<string> Roles = new(StringComparer.Ordinal) { "system", "developer", "user", "assistant", "tool" };

    /// <summary>Checks every field the service uses; a bad one is a 400 naming it.</summary>
    public static ChatInput From(ChatCompletionRequest request)
    {
        if (request.Messages is not { Count: > 0 } messages)
        {
            throw InferenceException.BadRequest("messages must be a non-empty array.", "messages");
        }

        var maxTokens = request.MaxCompletionTokens ?? request.MaxTokens;
        if (maxTokens is < 1)
        {
            throw InferenceException.BadRequest("max_tokens must be at least 1.", request.MaxCompletionTokens is null ? "max_tokens" : "max_completion_tokens");
        }

        if (request.Temperature is < 0 or > 2)
        {
            throw InferenceException.BadRequest("temperature must be between 0 and 2.", "temperature");
        }

        if (request.TopP is <= 0 or > 1)
        {
            throw InferenceException.BadRequest("top_p must be greater than 0 and at most 1.", "top_p");
        }

        var topK = ExtraInt(request, "top_k");
        if (topK is < 0)
        {
            throw InferenceException.BadRequest("top_k must be 0 or more.", "top_k");
        }

        if (ExtraInt(request, "n") is { } n && n != 1)
        {
            throw InferenceException.BadRequest("Only n=1 is supported.", "n", "unsupported_parameter");
        }

        var cacheKey = request.Extra?.GetValueOrDefault("prompt_cache_key") is { ValueKind: JsonValueKind.String } key &&
            !string.IsNullOrWhiteSpace(key.GetString()) ? key.GetString()!.Trim() : null;

        // A bloc binding names the key its artifact was loaded into; it is verified once the model is resident.
        var binding = PromptCacheBindingCheck.Read(request.Extra?.GetValueOrDefault(PromptCacheBindingCheck.Field), cacheKey);
        cacheKey = binding?.Key ?? cacheKey;

        var tools = Tools(request);
        RefuseResponseFormat(request.ResponseFormat);
        return new ChatInput(
            RenderMessages(messages), maxTokens, Stops(request.Stop),
            new SamplingOptions(request.Temperature, request.TopP, topK is 0 ? null : topK, request.Seed),
            cacheKey, request.Stream == true, request.StreamOptions?.IncludeUsage == true, binding?.BindingId, tools);
    }

    private static string RenderMessages(List<ChatMessageDto> messages)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            for (var i = 0; i < messages.Count; i++)
            {
                var message = messages[i];
                if (message.Role is not { } role || !Roles.Contains(role))
                {
                    throw InferenceException.BadRequest(
                        $"messages[{i}].role must be one of system, developer, user, assistant, tool.", $"messages[{i}].role");
                }

                json.WriteStartObject();
                json.WriteString("role", role == "developer" ? "system" : role);
                json.WriteString("content", Text(message.Content, i));
                WriteToolFields(json, message);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>An assistant turn's calls and a tool result's call id and name, in OpenAI's shape (what tool-aware templates read).</summary>
    private static void WriteToolFields(Utf8JsonWriter json, ChatMessageDto message)
    {
        if (message.ToolCalls is { Count: > 0 } calls)
        {
            json.WriteStartArray("tool_calls");
            foreach (var call in calls)
            {
                json.WriteStartObject();
                json.WriteString("id", call.Id ?? "");
                json.WriteString("type", call.Type ?? "function");
                json.WriteStartObject("function");
                json.WriteString("name", call.Function?.Name ?? "");
                json.WriteString("arguments", call.Function?.Arguments ?? "{}");
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        if (message.ToolCallId is { } id)
        {
            json.WriteString("tool_call_id", id);
        }

        if (message.Name is { } name)
        {
            json.WriteString("name", name);
        }
    }

    /// <summary>A string, or the text parts of a content array joined; other parts are refused.</summary>
    private static string Text(JsonElement? content, int index)
    {
        switch (content)
        {
            case null or { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined }:
                return "";
            case { ValueKind: JsonValueKind.String } s:
                return s.GetString()!;
            case { ValueKind: JsonValueKind.Array } parts:
                var text = new System.Text.StringBuilder();
                foreach (var part in parts.EnumerateArray())
                {
                    var type = part.TryGetProperty("type", out var t) ? t.GetString() : null;
                    if (type is not ("text" or "input_text") || !part.TryGetProperty("text", out var value) || value.ValueKind != JsonValueKind.String)
                    {
                        throw InferenceException.BadRequest(
                            $"messages[{index}].content: only text parts are supported by local ONNX models (got '{type}').",
                            $"messages[{index}].content", "unsupported_content");
                    }

                    text.Append(value.GetString());
                }

                return text.ToString();
            default:
                throw InferenceException.BadRequest($"messages[{index}].content must be a string or an array of parts.", $"messages[{index}].content");
        }
    }

    /// <summary>
    /// The offered tools for the chat template, or null: none, an empty array, or <c>tool_choice: "none"</c> (then they
    /// are ignored and not rendered). Whether the model's template can render them is checked once it is loaded
    /// (<see cref="ChatTemplate.RefuseUnrenderedTools"/>).
    /// </summary>
    private static string? Tools(ChatCompletionRequest request)
    {
        switch (request.Tools)
        {
            case null or { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined }:
            case { ValueKind: JsonValueKind.Array } empty when empty.GetArrayLength() == 0:
            case { ValueKind: JsonValueKind.Array } when request.ToolChoice is { ValueKind: JsonValueKind.String } choice && choice.GetString() == "none":
                return null;
            case { ValueKind: JsonValueKind.Array } tools:
                return tools.GetRawText();
            default:
                throw InferenceException.BadRequest("tools must be an array.", "tools");
        }
    }

    /// <summary>Only free text can be generated (no constrained decoding), so a JSON format is refused rather than
    /// answered with text that does not match it.</summary>
    private static void RefuseResponseFormat(JsonElement? format)
    {
        if (format is null or { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined })
        {
            return;
        }

        var type = format is { ValueKind: JsonValueKind.Object } f && f.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String
            ? t.GetString() : null;
        switch (type)
        {
            case "text":
                return;
            case "json_object" or "json_schema":
                throw InferenceException.BadRequest(
                    $"response_format: local ONNX models cannot guarantee {type} output (no constrained decoding); omit response_format or use {{\"type\":\"text\"}}.",
                    "response_format", "unsupported_parameter");
            default:
                throw InferenceException.BadRequest("response_format must be an object whose type is text, json_object or json_schema.", "response_format");
        }
    }

    private static List<string> Stops(JsonElement? stop)
    {
        var stops = stop switch
        {
            null or { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => [],
            { ValueKind: JsonValueKind.String } s => [s.GetString()!],
            { ValueKind: JsonValueKind.Array } a when a.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) =>
                a.EnumerateArray().Select(e => e.GetString()!).ToList(),
            _ => throw InferenceException.BadRequest("stop must be a string or an array of strings.", "stop"),
        };
        if (stops.Count > 4)
        {
            throw InferenceException.BadRequest("stop takes at most 4 sequences.", "stop");
        }

        return stops.Where(s => s.Length > 0).ToList();
    }

    private static int? ExtraInt(ChatCompletionRequest request, string name) =>
        request.Extra?.GetValueOrDefault(name) switch
        {
            { ValueKind: JsonValueKind.Number } v when v.TryGetInt32(out var i) => i,
            { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } or null => null,
            { } v => throw InferenceException.BadRequest(
                $"{name} must be an integer (got {v.GetRawText().ToString(CultureInfo.InvariantCulture)}).", name),
        };
}

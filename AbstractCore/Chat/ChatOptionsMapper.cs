using System.Text.Json;
using AbstractCore.OpenAI.Chat;
using Microsoft.Extensions.AI;

namespace AbstractCore.Chat;

/// <summary>
/// Request fields → <see cref="ChatOptions"/> for providers that are not OpenAI-compatible (their clients
/// translate from the abstraction). OpenAI-compatible upstreams get the raw fields instead.
/// </summary>
internal static class ChatOptionsMapper
{
    public static ChatOptions Map(ChatCompletionRequest r, string model)
    {
        var options = new ChatOptions
        {
            ModelId = model,
            Temperature = (float?)r.Temperature,
            TopP = (float?)r.TopP,
            MaxOutputTokens = r.MaxCompletionTokens ?? r.MaxTokens,
            Seed = r.Seed,
            PresencePenalty = (float?)r.PresencePenalty,
            FrequencyPenalty = (float?)r.FrequencyPenalty,
            StopSequences = Stop(r.Stop),
            AllowMultipleToolCalls = r.ParallelToolCalls,
            ResponseFormat = ResponseFormat(r.ResponseFormat),
        };

        if (r.Tools is { ValueKind: JsonValueKind.Array } tools && tools.GetArrayLength() > 0)
        {
            options.Tools = Tools(tools);
            options.ToolMode = ToolMode(r.ToolChoice);
        }

        return options;
    }

    private static List<string>? Stop(JsonElement? stop) => stop switch
    {
        { ValueKind: JsonValueKind.String } s => [s.GetString()!],
        { ValueKind: JsonValueKind.Array } a => [.. a.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)],
        null or { ValueKind: JsonValueKind.Null } => null,
        _ => throw GatewayException.BadRequest("'stop' must be a string or an array of strings.", "stop"),
    };

    private static List<AITool> Tools(JsonElement tools)
    {
        var result = new List<AITool>();
        var i = 0;
        foreach (var tool in tools.EnumerateArray())
        {
            var path = $"tools[{i++}]";
            var type = tool.ValueKind == JsonValueKind.Object && tool.TryGetProperty("type", out var t) ? t.GetString() : null;
            if (type != "function" || !tool.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object ||
                !function.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
            {
                throw GatewayException.BadRequest($"{path} must be {{\"type\":\"function\",\"function\":{{\"name\":…}}}}.", path);
            }

            var description = function.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
            var parameters = function.TryGetProperty("parameters", out var p) && p.ValueKind == JsonValueKind.Object
                ? p.Clone()
                : EmptySchema;
            result.Add(AIFunctionFactory.CreateDeclaration(name.GetString()!, description, parameters));
        }

        return result;
    }

    private static readonly JsonElement EmptySchema = JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement;

    private static ChatToolMode? ToolMode(JsonElement? choice) => choice switch
    {
        null or { ValueKind: JsonValueKind.Null } => null,
        { ValueKind: JsonValueKind.String } s => s.GetString() switch
        {
            "auto" => ChatToolMode.Auto,
            "none" => ChatToolMode.None,
            "required" => ChatToolMode.RequireAny,
            var other => throw GatewayException.BadRequest($"tool_choice '{other}' is not one of auto, none, required.", "tool_choice"),
        },
        { ValueKind: JsonValueKind.Object } o when o.TryGetProperty("function", out var f) && f.TryGetProperty("name", out var n) &&
            n.ValueKind == JsonValueKind.String => ChatToolMode.RequireSpecific(n.GetString()!),
        _ => throw GatewayException.BadRequest("tool_choice must be auto, none, required or {\"type\":\"function\",\"function\":{\"name\":…}}.", "tool_choice"),
    };

    private static ChatResponseFormat? ResponseFormat(JsonElement? format)
    {
        if (format is not { ValueKind: JsonValueKind.Object } f || !f.TryGetProperty("type", out var type))
        {
            return format is null or { ValueKind: JsonValueKind.Null }
                ? null
                : throw GatewayException.BadRequest("response_format must be an object with a 'type'.", "response_format");
        }

        switch (type.GetString())
        {
            case "text":
                return ChatResponseFormat.Text;
            case "json_object":
                return ChatResponseFormat.Json;
            case "json_schema" when f.TryGetProperty("json_schema", out var js) && js.TryGetProperty("schema", out var schema):
                return ChatResponseFormat.ForJsonSchema(schema.Clone(),
                    js.TryGetProperty("name", out var n) ? n.GetString() : null,
                    js.TryGetProperty("description", out var d) ? d.GetString() : null);
            default:
                throw GatewayException.BadRequest(
                    "response_format.type must be text, json_object or json_schema (with json_schema.schema).", "response_format",
                    "invalid_response_format");
        }
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AbstractCore.OpenAI.Chat;
using AbstractCore.Responses;

namespace AbstractCore.Messages;

/// <summary>
/// A Messages request → the chat pipeline's pieces, for every provider but Anthropic (which gets the body as sent):
/// the conversation as chat wire messages (so attachments, the chat converter and the backends are those of
/// <c>/v1/chat/completions</c>) and a <see cref="ChatCompletionRequest"/>. System text (the top-level <c>system</c> and
/// any <c>role: system</c> message, which Claude Code sends inside <c>messages</c>) leads the conversation; tool_result
/// blocks become tool messages ahead of the rest of their turn; thinking blocks are dropped, since only Anthropic can
/// take them back.
/// </summary>
public static class MessagesTranslator
{
    private const string BillingHeader = "x-anthropic-billing-header:";

    /// <summary>The gateway's own request fields, read from a Messages body like from a chat one.</summary>
    private static readonly string[] Extensions = ["timeout_s", "prompt_cache_key", "prompt_cache_binding", "prompt_cache_retention"];

    public static ChatCompletionRequest ToChatRequest(MessagesRequest r, string model, List<ChatMessageDto> messages) => new()
    {
        Model = model,
        Messages = messages,
        Stream = r.Stream,
        Tools = Tools(r.Tools),
        ToolChoice = ToolChoice(r.ToolChoice),
        ParallelToolCalls = r.ToolChoice?.DisableParallelToolUse == true ? false : null,
        Temperature = r.Temperature,
        TopP = r.TopP,
        MaxTokens = r.MaxTokens is null ? null : MessagesRules.MaxTokens(r), // count_tokens takes none
        Stop = r.StopSequences is { Count: > 0 } stop ? JsonSerializer.SerializeToElement(stop, MessagesJsonContext.Default.ListString) : null,
        User = r.Metadata?.UserId,
        Thinking = Thinking(r.Thinking),
        AgentFormat = Extension(r, "agent_format"),
        UnloadAfter = UnloadAfter(r),
        BaseUrl = Extension(r, "base_url"),
        Extra = ExtraFields(r),
    };

    /// <summary>What the planner checks of a body Anthropic gets as sent: the gateway's own fields (base_url,
    /// unload_after, timeout_s, prompt_cache_binding …), read as for a translated request.</summary>
    public static ChatCompletionRequest ForChecks(MessagesRequest r, string model) => new()
    {
        Model = model,
        UnloadAfter = UnloadAfter(r),
        BaseUrl = Extension(r, "base_url"),
        Extra = r.Extra,
    };

    private static bool? UnloadAfter(MessagesRequest r) =>
        r.Extra?.TryGetValue("unload_after", out var unload) == true ? MessagesRules.Bool(unload, "unload_after") : null;

    /// <summary>The conversation as chat messages: the system text first, then each turn.</summary>
    public static List<ChatMessageDto> Conversation(MessagesRequest r)
    {
        var result = new List<ChatMessageDto>();
        var system = new StringBuilder();
        AppendSystem(system, r.System, "system");
        if (r.Messages is not { ValueKind: JsonValueKind.Array } messages)
        {
            throw GatewayException.BadRequest("'messages' is required: an array of {role, content} turns.", "messages");
        }

        var i = 0;
        foreach (var message in messages.EnumerateArray())
        {
            var path = $"messages[{i++}]";
            if (message.ValueKind != JsonValueKind.Object)
            {
                throw GatewayException.BadRequest($"{path} must be an object with role and content.", path);
            }

            var content = message.TryGetProperty("content", out var c) ? c : default;
            switch (Str(message, "role"))
            {
                case "user":
                    AddUser(result, content, path);
                    break;
                case "assistant":
                    AddAssistant(result, content, path);
                    break;
                case "system":
                    AppendSystem(system, content, $"{path}.content");
                    break;
                default:
                    throw GatewayException.BadRequest($"{path}.role must be 'user' or 'assistant'.", $"{path}.role");
            }
        }

        if (system.Length > 0)
        {
            result.Insert(0, new ChatMessageDto { Role = "system", Content = Text(system.ToString()) });
        }

        return result;
    }

    private static void AppendSystem(StringBuilder system, JsonElement? content, string path)
    {
        foreach (var block in Blocks(content, path))
        {
            if (block.Type != "text")
            {
                throw GatewayException.BadRequest($"{path} may hold only text blocks, not '{block.Type}'.", path);
            }

            if (!string.IsNullOrEmpty(block.Text) && !block.Text.StartsWith(BillingHeader, StringComparison.Ordinal))
            {
                system.Append(system.Length > 0 ? "\n\n" : "").Append(block.Text);
            }
        }
    }

    private static void AddUser(List<ChatMessageDto> result, JsonElement content, string path)
    {
        var parts = new JsonArray();
        var index = 0;
        foreach (var block in Blocks(content, $"{path}.content"))
        {
            var at = $"{path}.content[{index++}]";
            switch (block.Type)
            {
                case "tool_result":
                    AddToolResult(result, block, at);
                    break;
                case "thinking" or "redacted_thinking":
                    break;
                default:
                    parts.Add(Part(block, at));
                    break;
            }
        }

        if (parts.Count > 0)
        {
            result.Add(new ChatMessageDto { Role = "user", Content = Compact(parts) });
        }
    }

    /// <summary>A tool_result as a tool message; images it holds follow as a user turn, which tool messages cannot carry.</summary>
    private static void AddToolResult(List<ChatMessageDto> result, MessagesBlock block, string path)
    {
        var id = block.ToolUseId ?? throw GatewayException.BadRequest($"{path}.tool_use_id is required.", $"{path}.tool_use_id");
        var text = new StringBuilder(block.IsError == true ? "Error: " : "");
        var images = new JsonArray();
        var index = 0;
        foreach (var part in Blocks(block.Content ?? Text(""), $"{path}.content"))
        {
            var at = $"{path}.content[{index++}]";
            if (part.Type == "text")
            {
                text.Append(text.Length > 0 && text[^1] != ' ' ? "\n" : "").Append(part.Text);
            }
            else
            {
                images.Add(Part(part, at));
            }
        }

        result.Add(new ChatMessageDto { Role = "tool", ToolCallId = id, Content = Text(text.ToString()) });
        if (images.Count > 0)
        {
            result.Add(new ChatMessageDto { Role = "user", Content = ResponsesTranslator.ToElement(images) });
        }
    }

    private static void AddAssistant(List<ChatMessageDto> result, JsonElement content, string path)
    {
        var text = new StringBuilder();
        var calls = new List<ToolCallDto>();
        var index = 0;
        foreach (var block in Blocks(content, $"{path}.content"))
        {
            var at = $"{path}.content[{index++}]";
            switch (block.Type)
            {
                case "text":
                    text.Append(block.Text);
                    break;
                case "tool_use":
                    calls.Add(new ToolCallDto
                    {
                        Id = block.Id ?? throw GatewayException.BadRequest($"{at}.id is required.", $"{at}.id"),
                        Type = "function",
                        Function = new FunctionCallDto
                        {
                            Name = block.Name ?? throw GatewayException.BadRequest($"{at}.name is required.", $"{at}.name"),
                            Arguments = block.Input is { ValueKind: JsonValueKind.Object } input ? input.GetRawText() : "{}",
                        },
                    });
                    break;
                case "thinking" or "redacted_thinking":
                    break; // signed for Anthropic only; other upstreams would read them as text, or refuse them
                default:
                    throw GatewayException.BadRequest($"{at}.type '{block.Type}' is not allowed in an assistant turn; use text, tool_use or thinking.", $"{at}.type");
            }
        }

        if (text.Length == 0 && calls.Count == 0)
        {
            return; // a turn that held only thinking
        }

        result.Add(new ChatMessageDto
        {
            Role = "assistant",
            Content = text.Length > 0 || calls.Count == 0 ? Text(text.ToString()) : null,
            ToolCalls = calls.Count > 0 ? calls : null,
        });
    }

    /// <summary>One user block as a chat content part: text, image_url (base64 as a data URL, or the URL), or a file
    /// (a PDF or text document, extracted to text by the attachments).</summary>
    private static JsonObject Part(MessagesBlock block, string path)
    {
        switch (block.Type)
        {
            case "text":
                return new JsonObject { ["type"] = "text", ["text"] = block.Text ?? throw GatewayException.BadRequest($"{path}.text must be a string.", $"{path}.text") };
            case "image":
                return new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = SourceUrl(block.Source, path, "image/png") } };
            case "document" when block.Source is { Type: "text" } source:
                return new JsonObject { ["type"] = "text", ["text"] = (block.Title is { Length: > 0 } title ? title + "\n\n" : "") + source.Data };
            case "document":
            {
                var file = new JsonObject { ["filename"] = block.Title is { Length: > 0 } t ? t : "document.pdf" };
                var url = SourceUrl(block.Source, path, "application/pdf");
                if (url.StartsWith("data:", StringComparison.Ordinal))
                {
                    file["file_data"] = url;
                    return new JsonObject { ["type"] = "file", ["file"] = file };
                }

                return new JsonObject { ["type"] = "file", ["file_url"] = url };
            }

            default:
                throw GatewayException.BadRequest(
                    $"{path}.type '{block.Type}' is not supported; use text, image, document, tool_use, tool_result or thinking.", $"{path}.type");
        }
    }

    private static string SourceUrl(MessagesSource? source, string path, string defaultMime) => source switch
    {
        { Type: "base64", Data: { } data } => $"data:{source.MediaType ?? defaultMime};base64,{data}",
        { Type: "url", Url: { } url } => url,
        _ => throw GatewayException.BadRequest($"{path}.source must be {{type: base64, media_type, data}} or {{type: url, url}}.", $"{path}.source"),
    };

    /// <summary>Custom tools as chat function tools; a server tool (web search, bash, computer use …) only Anthropic runs.</summary>
    public static JsonElement? Tools(JsonElement? tools)
    {
        if (tools is null or { ValueKind: JsonValueKind.Null })
        {
            return null;
        }

        if (tools.Value.ValueKind != JsonValueKind.Array)
        {
            throw GatewayException.BadRequest("'tools' must be an array.", "tools");
        }

        var result = new JsonArray();
        var i = 0;
        foreach (var element in tools.Value.EnumerateArray())
        {
            var path = $"tools[{i++}]";
            var tool = element.ValueKind == JsonValueKind.Object ? element.Deserialize(MessagesJsonContext.Default.MessagesTool)! : null;
            if (tool is null)
            {
                throw GatewayException.BadRequest($"{path} must be an object.", path);
            }

            if (tool.DeferLoading == true)
            {
                continue;
            }

            if (tool.Type is not (null or "custom"))
            {
                throw GatewayException.BadRequest(
                    $"{path}: '{tool.Name ?? tool.Type}' ({tool.Type}) is an Anthropic server tool, which only anthropic/* models can run; " +
                    "declare it as a custom tool with an input_schema to run it yourself.", path, "unsupported_tool");
            }

            var name = tool.Name ?? throw GatewayException.BadRequest($"{path}.name is required.", $"{path}.name");
            var function = new JsonObject { ["name"] = name };
            if (tool.Description is not null)
            {
                function["description"] = tool.Description;
            }

            function["parameters"] = tool.InputSchema is { ValueKind: JsonValueKind.Object } schema
                ? JsonNode.Parse(schema.GetRawText())
                : throw GatewayException.BadRequest($"{path}.input_schema is required: a JSON schema object.", $"{path}.input_schema");
            result.Add(new JsonObject { ["type"] = "function", ["function"] = function });
        }

        return result.Count > 0 ? ResponsesTranslator.ToElement(result) : null;
    }

    private static JsonElement? ToolChoice(MessagesToolChoice? choice) => choice?.Type switch
    {
        null => null,
        "auto" => Text("auto"),
        "any" => Text("required"),
        "none" => Text("none"),
        "tool" => ResponsesTranslator.ToElement(new JsonObject
        {
            ["type"] = "function",
            ["function"] = new JsonObject { ["name"] = choice.Name ?? throw GatewayException.BadRequest("tool_choice.name is required for type 'tool'.", "tool_choice.name") },
        }),
        var other => throw GatewayException.BadRequest($"tool_choice.type '{other}' is not one of auto, any, tool, none.", "tool_choice.type"),
    };

    /// <summary>Anthropic's thinking as the gateway's level: a budget picks the nearest level; adaptive leaves it to the provider
    /// (and so does <c>output_config.effort</c>, which Claude Code sends on every turn: taken as a level it would switch
    /// thinking on for every local model).</summary>
    private static JsonElement? Thinking(MessagesThinking? thinking) => thinking?.Type switch
    {
        null or "adaptive" => null,
        "disabled" => Text("off"),
        "enabled" => Text(thinking.BudgetTokens switch
        {
            null => "on",
            <= 1024 => "low",
            <= 4096 => "medium",
            <= 16384 => "high",
            _ => "xhigh",
        }),
        var other => throw GatewayException.BadRequest($"thinking.type '{other}' is not one of enabled, disabled, adaptive.", "thinking.type"),
    };

    private static Dictionary<string, JsonElement>? ExtraFields(MessagesRequest r)
    {
        var extra = r.TopK is { } topK
            ? new Dictionary<string, JsonElement> { ["top_k"] = JsonSerializer.SerializeToElement(topK, MessagesJsonContext.Default.Int32) }
            : null;

        foreach (var name in Extensions)
        {
            if (r.Extra?.TryGetValue(name, out var value) == true)
            {
                (extra ??= [])[name] = value;
            }
        }

        return extra;
    }

    private static string? Extension(MessagesRequest r, string name) => r.Extra?.TryGetValue(name, out var value) == true
        ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Null => null,
            _ => throw GatewayException.BadRequest($"'{name}' must be a string.", name),
        }
        : null;

    /// <summary>A string content as one text block, else the array's blocks.</summary>
    public static IEnumerable<MessagesBlock> Blocks(JsonElement? content, string path)
    {
        switch (content)
        {
            case null or { ValueKind: JsonValueKind.Undefined or JsonValueKind.Null }:
                yield break;
            case { ValueKind: JsonValueKind.String } s:
                yield return new MessagesBlock { Type = "text", Text = s.GetString() };
                break;
            case { ValueKind: JsonValueKind.Array } array:
                var i = 0;
                foreach (var element in array.EnumerateArray())
                {
                    var at = string.Create(CultureInfo.InvariantCulture, $"{path}[{i++}]");
                    var block = element.ValueKind == JsonValueKind.Object ? element.Deserialize(MessagesJsonContext.Default.MessagesBlock) : null;
                    yield return block is { Type: not null }
                        ? block
                        : throw GatewayException.BadRequest($"{at} must be a content block object with a type.", at);
                }

                break;
            default:
                throw GatewayException.BadRequest($"{path} must be a string or an array of content blocks.", path);
        }
    }

    /// <summary>One text part stays a plain string (what every upstream takes); anything else stays an array.</summary>
    private static JsonElement Compact(JsonArray parts) =>
        parts is [JsonObject { Count: 2 } only] && (string?)only["type"] == "text" ? Text((string?)only["text"] ?? "") : ResponsesTranslator.ToElement(parts);

    private static JsonElement Text(string text) => JsonSerializer.SerializeToElement(text, MessagesJsonContext.Default.String);

    private static string? Str(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}

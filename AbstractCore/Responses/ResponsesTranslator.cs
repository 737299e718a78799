using System.Text.Json;
using System.Text.Json.Nodes;
using AbstractCore.OpenAI.Chat;
using AbstractCore.OpenAI.Responses;

namespace AbstractCore.Responses;

/// <summary>
/// A Responses request → the chat pipeline's pieces: the conversation as chat wire messages (so the chat
/// converter, validation and verbatim tool-call forwarding are reused) and a <see cref="ChatCompletionRequest"/>
/// with tools in the chat shape, <c>text.format</c> as <c>response_format</c>, <c>reasoning.effort</c> as the
/// thinking control and <c>max_output_tokens</c> as <c>max_tokens</c>.
/// </summary>
public static class ResponsesTranslator
{
    public static readonly string[] WebSearchTypes = ["web_search", "web_search_preview", "web_search_2025_08_26", "web_search_preview_2025_03_11"];

    /// <summary>The client's input items as chat messages (without <c>instructions</c>, which are not carried over).</summary>
    public static List<ChatMessageDto> Input(JsonElement? input)
    {
        var result = new List<ChatMessageDto>();
        switch (input)
        {
            case { ValueKind: JsonValueKind.String } s:
                if (!string.IsNullOrWhiteSpace(s.GetString()))
                {
                    result.Add(new ChatMessageDto { Role = "user", Content = s.Clone() });
                }

                break;
            case { ValueKind: JsonValueKind.Array } items:
                var i = 0;
                foreach (var item in items.EnumerateArray())
                {
                    AddItem(result, item, $"input[{i++}]");
                }

                break;
            default:
                throw GatewayException.BadRequest("'input' must be a string or an array of input items.", "input");
        }

        return result;
    }

    private static void AddItem(List<ChatMessageDto> result, JsonElement item, string path)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw GatewayException.BadRequest($"{path} must be an object.", path);
        }

        var type = Str(item, "type");
        if (type is null && item.TryGetProperty("role", out _))
        {
            type = "message";
        }

        switch (type)
        {
            case "message":
                result.Add(Message(item, path));
                break;
            case "function_call":
            {
                var callId = Str(item, "call_id") ?? throw GatewayException.BadRequest($"{path}.call_id is required.", $"{path}.call_id");
                var name = Str(item, "name") ?? throw GatewayException.BadRequest($"{path}.name is required.", $"{path}.name");
                var arguments = item.TryGetProperty("arguments", out var a)
                    ? a.ValueKind == JsonValueKind.String ? a.GetString() : a.GetRawText()
                    : "{}";
                AddCall(result, new ToolCallDto { Id = callId, Type = "function", Function = new FunctionCallDto { Name = name, Arguments = arguments } });
                break;
            }

            case "custom_tool_call":
            {
                // A freeform tool's call travels to chat upstreams as a function call with one string argument.
                var callId = Str(item, "call_id") ?? throw GatewayException.BadRequest($"{path}.call_id is required.", $"{path}.call_id");
                var name = Str(item, "name") ?? throw GatewayException.BadRequest($"{path}.name is required.", $"{path}.name");
                var arguments = new JsonObject { ["input"] = Str(item, "input") ?? "" }.ToJsonString();
                AddCall(result, new ToolCallDto { Id = callId, Type = "function", Function = new FunctionCallDto { Name = name, Arguments = arguments } });
                break;
            }

            case "function_call_output" or "custom_tool_call_output":
            {
                var callId = Str(item, "call_id") ?? throw GatewayException.BadRequest($"{path}.call_id is required.", $"{path}.call_id");
                result.Add(new ChatMessageDto { Role = "tool", ToolCallId = callId, Content = OutputText(item) });
                break;
            }

            case "reasoning" or "item_reference":
                // Accepted, not re-sent: upstreams cannot take another model's reasoning back.
                break;
            case null:
                throw GatewayException.BadRequest($"{path}.type is required (or a role and content for a message).", $"{path}.type");
            default:
                throw GatewayException.BadRequest(
                    $"{path}.type '{type}' is not supported; use message, function_call, function_call_output or reasoning.", $"{path}.type");
        }
    }

    /// <summary>Consecutive calls join one assistant turn, as parallel tool calls do in chat.</summary>
    private static void AddCall(List<ChatMessageDto> result, ToolCallDto call)
    {
        if (result.Count > 0 && result[^1] is { Role: "assistant" } last)
        {
            (last.ToolCalls ??= []).Add(call);
        }
        else
        {
            result.Add(new ChatMessageDto { Role = "assistant", ToolCalls = [call] });
        }
    }

    private static ChatMessageDto Message(JsonElement item, string path)
    {
        var role = Str(item, "role") ?? throw GatewayException.BadRequest($"{path}.role is required.", $"{path}.role");
        var dto = new ChatMessageDto { Role = role, Name = Str(item, "name"), ToolCallId = Str(item, "tool_call_id") };
        if (item.TryGetProperty("content", out var content))
        {
            dto.Content = content.ValueKind switch
            {
                JsonValueKind.String or JsonValueKind.Null => content.Clone(),
                JsonValueKind.Array => Parts(content, path),
                _ => throw GatewayException.BadRequest($"{path}.content must be a string or an array of content parts.", $"{path}.content"),
            };
        }

        if (item.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
        {
            dto.ToolCalls = item.Deserialize(AbstractCore.OpenAI.Json.OpenAIJsonContext.Default.ChatMessageDto)?.ToolCalls;
        }

        return dto;
    }

    /// <summary>Responses content parts → chat content parts.</summary>
    private static JsonElement Parts(JsonElement parts, string path)
    {
        var array = new JsonArray();
        var i = 0;
        foreach (var part in parts.EnumerateArray())
        {
            var p = $"{path}.content[{i++}]";
            if (part.ValueKind != JsonValueKind.Object)
            {
                throw GatewayException.BadRequest($"{p} must be an object.", p);
            }

            switch (Str(part, "type"))
            {
                case "input_text" or "output_text" or "text" or "summary_text":
                    array.Add(new JsonObject
                    {
                        ["type"] = "text",
                        ["text"] = Str(part, "text") ?? throw GatewayException.BadRequest($"{p}.text must be a string.", $"{p}.text"),
                    });
                    break;
                case "refusal":
                    array.Add(new JsonObject { ["type"] = "text", ["text"] = Str(part, "refusal") ?? "" });
                    break;
                case "input_image":
                {
                    var url = part.TryGetProperty("image_url", out var u)
                        ? u.ValueKind == JsonValueKind.String ? u.GetString() : u.ValueKind == JsonValueKind.Object ? Str(u, "url") : null
                        : null;
                    if (url is null)
                    {
                        throw GatewayException.BadRequest($"{p}.image_url is required (file_id images are not supported).", $"{p}.image_url");
                    }

                    var image = new JsonObject { ["url"] = url };
                    if (Str(part, "detail") is { } detail)
                    {
                        image["detail"] = detail;
                    }

                    array.Add(new JsonObject { ["type"] = "image_url", ["image_url"] = image });
                    break;
                }

                case "input_file":
                {
                    if (Str(part, "file_data") is { } data)
                    {
                        var file = new JsonObject { ["file_data"] = data };
                        if (Str(part, "filename") is { } name)
                        {
                            file["filename"] = name;
                        }

                        array.Add(new JsonObject { ["type"] = "file", ["file"] = file });
                    }
                    else if (Str(part, "file_id") is { } id)
                    {
                        array.Add(new JsonObject { ["type"] = "file", ["file"] = new JsonObject { ["file_id"] = id } });
                    }
                    else if (Str(part, "file_url") is { } url)
                    {
                        // Fetched (SSRF-safely) and read like any attachment.
                        var file = new JsonObject { ["file_url"] = url };
                        if (Str(part, "filename") is { } name)
                        {
                            file["filename"] = name;
                        }

                        array.Add(new JsonObject { ["type"] = "file", ["file"] = file });
                    }
                    else
                    {
                        throw GatewayException.BadRequest($"{p} needs file_data, file_id or file_url.", p);
                    }

                    break;
                }

                case var other:
                    throw GatewayException.BadRequest(
                        $"{p}.type '{other}' is not supported; use input_text, input_image, input_file or output_text.", $"{p}.type");
            }
        }

        // Text only: one string, which every chat server (and chat template) takes.
        if (array.All(p => (string?)p!["type"] == "text"))
        {
            return ToElement(JsonValue.Create(string.Join("\n", array.Select(p => (string?)p!["text"]))));
        }

        return ToElement(array);
    }

    private static JsonElement OutputText(JsonElement item)
    {
        if (!item.TryGetProperty("output", out var output))
        {
            return ToElement(JsonValue.Create(""));
        }

        if (output.ValueKind == JsonValueKind.String)
        {
            return output.Clone();
        }

        if (output.ValueKind == JsonValueKind.Array)
        {
            var text = string.Concat(output.EnumerateArray()
                .Where(p => p.ValueKind == JsonValueKind.Object)
                .Select(p => Str(p, "text") ?? ""));
            return ToElement(JsonValue.Create(text));
        }

        return ToElement(JsonValue.Create(output.GetRawText()));
    }

    /// <summary>Builds the chat request the backends prepare from.</summary>
    public static ChatCompletionRequest ToChatRequest(ResponsesRequest r, string model, List<ChatMessageDto> messages) => new()
    {
        Model = model,
        Messages = messages,
        Stream = r.Stream,
        Tools = Tools(r.Tools, out _),
        ToolChoice = ToolChoice(r.ToolChoice),
        ParallelToolCalls = r.ParallelToolCalls,
        Temperature = r.Temperature,
        TopP = r.TopP,
        MaxTokens = r.MaxOutputTokens ?? r.MaxTokens,
        Stop = r.Stop,
        Seed = r.Seed,
        PresencePenalty = r.PresencePenalty,
        FrequencyPenalty = r.FrequencyPenalty,
        ResponseFormat = ResponseFormat(r.Text),
        User = r.User,
        ReasoningEffort = Effort(r.Reasoning),
        Thinking = r.Thinking,
        AgentFormat = r.AgentFormat,
        UnloadAfter = r.UnloadAfter,
        BaseUrl = r.BaseUrl,
        Extra = r.Extra?.Where(e => !ResponsesOnly.Contains(e.Key)).ToDictionary(),
    };

    /// <summary>Responses fields a chat upstream would reject: consumed or ignored here, never forwarded.</summary>
    private static readonly HashSet<string> ResponsesOnly = new(StringComparer.Ordinal)
    {
        "conversation", "max_tool_calls", "prompt", "top_logprobs", "client_metadata", "context_management", "verbosity",
    };

    private static string? Effort(JsonElement? reasoning)
    {
        var effort = reasoning switch
        {
            null or { ValueKind: JsonValueKind.Null } => null,
            { ValueKind: JsonValueKind.Object } o => o.TryGetProperty("effort", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null,
            _ => throw GatewayException.BadRequest("'reasoning' must be an object such as {\"effort\":\"low\"}.", "reasoning"),
        };
        if (effort is not null)
        {
            try
            {
                Chat.Thinking.From(new ChatCompletionRequest { ReasoningEffort = effort });
            }
            catch (GatewayException)
            {
                throw GatewayException.BadRequest($"reasoning.effort '{effort}' is not one of {Chat.Thinking.Allowed}.", "reasoning.effort");
            }
        }

        return effort;
    }

    /// <summary>Responses tools → chat tools (null when none). <paramref name="echo"/> is the list echoed in the response.</summary>
    public static JsonElement? Tools(JsonElement? tools, out List<JsonElement> echo)
    {
        echo = [];
        if (tools is null or { ValueKind: JsonValueKind.Null })
        {
            return null;
        }

        if (tools.Value.ValueKind != JsonValueKind.Array)
        {
            throw GatewayException.BadRequest("'tools' must be an array.", "tools");
        }

        var chat = new JsonArray();
        var i = 0;
        foreach (var tool in tools.Value.EnumerateArray())
        {
            AddTool(chat, echo, tool, $"tools[{i++}]");
        }

        return chat.Count == 0 ? null : ToElement(chat);
    }

    private static void AddTool(JsonArray chat, List<JsonElement> echo, JsonElement tool, string path)
    {
        var type = tool.ValueKind == JsonValueKind.Object ? Str(tool, "type") : null;
        switch (type)
        {
            case "function" when tool.TryGetProperty("function", out var nested) && nested.ValueKind == JsonValueKind.Object:
            {
                chat.Add(JsonNode.Parse(tool.GetRawText()));
                var flat = JsonNode.Parse(nested.GetRawText())!.AsObject();
                flat.Insert(0, "type", "function");
                echo.Add(ToElement(flat));
                break;
            }

            case "function":
            {
                var name = Str(tool, "name") ?? throw GatewayException.BadRequest($"{path}.name is required for a function tool.", $"{path}.name");
                var function = new JsonObject { ["name"] = name };
                if (tool.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String)
                {
                    function["description"] = d.GetString();
                }

                function["parameters"] = tool.TryGetProperty("parameters", out var p) && p.ValueKind == JsonValueKind.Object
                    ? JsonNode.Parse(p.GetRawText())
                    : new JsonObject { ["type"] = "object", ["properties"] = new JsonObject() };
                if (tool.TryGetProperty("strict", out var s) && s.ValueKind is JsonValueKind.True or JsonValueKind.False)
                {
                    function["strict"] = s.GetBoolean();
                }

                chat.Add(new JsonObject { ["type"] = "function", ["function"] = function });
                echo.Add(tool.Clone());
                break;
            }

            case "custom":
            {
                // Freeform tools (Codex's apply_patch): a function taking the raw text as 'input'.
                var name = Str(tool, "name") ?? throw GatewayException.BadRequest($"{path}.name is required for a custom tool.", $"{path}.name");
                var description = Str(tool, "description") ?? "";
                if (tool.TryGetProperty("format", out var format) && format.ValueKind == JsonValueKind.Object &&
                    Str(format, "definition") is { } definition)
                {
                    description += $"\n\nThe input must follow this {Str(format, "syntax") ?? "grammar"} grammar:\n{definition}";
                }

                chat.Add(new JsonObject
                {
                    ["type"] = "function",
                    ["function"] = new JsonObject
                    {
                        ["name"] = name,
                        ["description"] = description.Trim(),
                        ["parameters"] = new JsonObject
                        {
                            ["type"] = "object",
                            ["properties"] = new JsonObject
                            {
                                ["input"] = new JsonObject { ["type"] = "string", ["description"] = "The raw input for the tool." },
                            },
                            ["required"] = new JsonArray("input"),
                        },
                    },
                });
                echo.Add(tool.Clone());
                break;
            }

            case "namespace":
            {
                // Codex groups tools (MCP servers, say) in a namespace: flattened into its function tools.
                if (!tool.TryGetProperty("tools", out var inner) || inner.ValueKind != JsonValueKind.Array)
                {
                    throw GatewayException.BadRequest($"{path}.tools must be an array for a namespace tool.", $"{path}.tools");
                }

                var j = 0;
                foreach (var t in inner.EnumerateArray())
                {
                    AddTool(chat, echo, t, $"{path}.tools[{j++}]");
                }

                break;
            }

            case { } web when WebSearchTypes.Contains(web):
                chat.Add(WebSearchFunction(web));
                echo.Add(tool.Clone());
                break;
            case null:
                throw GatewayException.BadRequest($"{path}.type is required.", $"{path}.type");
            default:
                throw GatewayException.BadRequest($"Unsupported Responses tool type: {type}", $"{path}.type", "unsupported_tool_type");
        }
    }

    private static JsonObject WebSearchFunction(string name) => new()
    {
        ["type"] = "function",
        ["function"] = new JsonObject
        {
            ["name"] = name,
            ["description"] = "Search the web for current information.",
            ["parameters"] = new JsonObject
            {
                ["type"] = "object",
                ["properties"] = new JsonObject
                {
                    ["query"] = new JsonObject { ["type"] = "string", ["description"] = "The search query." },
                    ["recency"] = new JsonObject { ["type"] = "integer", ["description"] = "Only results from the last N days." },
                },
                ["required"] = new JsonArray("query"),
            },
        },
    };

    /// <summary>Responses tool_choice → chat tool_choice.</summary>
    public static JsonElement? ToolChoice(JsonElement? choice)
    {
        switch (choice)
        {
            case null or { ValueKind: JsonValueKind.Null }:
                return null;
            case { ValueKind: JsonValueKind.String } s:
                return s.GetString() switch
                {
                    "none" or "required" or "auto" => s.Clone(),
                    var other => throw GatewayException.BadRequest($"tool_choice '{other}' is not one of auto, none, required.", "tool_choice"),
                };
            case { ValueKind: JsonValueKind.Object } o:
                var type = Str(o, "type");
                var name = type is "function" or "custom"
                    ? Str(o, "name") ?? (o.TryGetProperty("function", out var f) && f.ValueKind == JsonValueKind.Object ? Str(f, "name") : null)
                        ?? throw GatewayException.BadRequest($"tool_choice.name is required when tool_choice.type is '{type}'.", "tool_choice.name")
                    : type is not null && WebSearchTypes.Contains(type) ? type : null;
                // Other hosted-tool choices (file_search, allowed_tools, …) fall back to auto: their tools are refused above.
                return name is null
                    ? ToElement(JsonValue.Create("auto"))
                    : ToElement(new JsonObject { ["type"] = "function", ["function"] = new JsonObject { ["name"] = name } });
            default:
                throw GatewayException.BadRequest("tool_choice must be a string or an object.", "tool_choice");
        }
    }

    /// <summary><c>text.format</c> → chat <c>response_format</c>.</summary>
    public static JsonElement? ResponseFormat(JsonElement? text)
    {
        if (text is null or { ValueKind: JsonValueKind.Null })
        {
            return null;
        }

        if (text.Value.ValueKind != JsonValueKind.Object)
        {
            throw GatewayException.BadRequest("'text' must be an object such as {\"format\":{\"type\":\"text\"}}.", "text");
        }

        if (!text.Value.TryGetProperty("format", out var format) || format.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        switch (format.ValueKind == JsonValueKind.Object ? Str(format, "type") : null)
        {
            case "text":
                return null;
            case "json_object":
                return ToElement(new JsonObject { ["type"] = "json_object" });
            case "json_schema":
            {
                if (!format.TryGetProperty("schema", out var schema) || schema.ValueKind != JsonValueKind.Object)
                {
                    throw GatewayException.BadRequest("text.format.schema is required for json_schema.", "text.format.schema");
                }

                var js = new JsonObject { ["name"] = Str(format, "name") ?? "response" };
                if (Str(format, "description") is { } d)
                {
                    js["description"] = d;
                }

                js["schema"] = JsonNode.Parse(schema.GetRawText());
                if (format.TryGetProperty("strict", out var s) && s.ValueKind is JsonValueKind.True or JsonValueKind.False)
                {
                    js["strict"] = s.GetBoolean();
                }

                return ToElement(new JsonObject { ["type"] = "json_schema", ["json_schema"] = js });
            }

            default:
                throw GatewayException.BadRequest("text.format.type must be text, json_object or json_schema.", "text.format.type",
                    Chat.ChatRequestRules.InvalidResponseFormat);
        }
    }

    /// <summary>The names of the request's custom (freeform) tools, whose calls go back as <c>custom_tool_call</c> items.</summary>
    public static HashSet<string> CustomToolNames(JsonElement? tools)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (tools is { ValueKind: JsonValueKind.Array } array)
        {
            foreach (var tool in array.EnumerateArray())
            {
                if (tool.ValueKind == JsonValueKind.Object && Str(tool, "type") == "custom" && Str(tool, "name") is { } name)
                {
                    names.Add(name);
                }
            }
        }

        return names;
    }

    public static string? Str(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static JsonElement ToElement(JsonNode? node)
    {
        using var doc = JsonDocument.Parse(node?.ToJsonString() ?? "null");
        return doc.RootElement.Clone();
    }
}

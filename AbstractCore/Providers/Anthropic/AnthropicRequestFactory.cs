using System.Globalization;
using System.Text;
using System.Text.Json;
using AbstractCore.OpenAI.Chat;
using Microsoft.Extensions.AI;

namespace AbstractCore.Providers.Anthropic;

/// <summary>
/// Microsoft.Extensions.AI messages and options → one Anthropic Messages request. System and developer turns
/// become the top-level <c>system</c>; tool results become <c>tool_result</c> blocks of a user turn (several
/// consecutive ones in one turn, before any text); assistant tool calls become <c>tool_use</c> blocks with their
/// ids; consecutive turns of one role are merged, as the API expects alternating roles.
/// </summary>
internal static class AnthropicRequestFactory
{
    /// <summary>Without a client value: Anthropic requires <c>max_tokens</c>.</summary>
    public const int DefaultMaxTokens = 4096;

    /// <summary>Anthropic's smallest thinking budget.</summary>
    public const int MinThinkingBudget = 1024;

    /// <summary><see cref="ChatOptions.AdditionalProperties"/> key: the thinking budget in tokens (int).</summary>
    public const string ThinkingBudgetKey = "anthropic.thinking_budget_tokens";

    /// <summary><see cref="ChatOptions.AdditionalProperties"/> key: <c>metadata.user_id</c> (string).</summary>
    public const string UserIdKey = "anthropic.metadata_user_id";

    public const string JsonObjectInstruction = "Respond with a single valid JSON object and no other text.";

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement;

    /// <summary>The request and, for a <c>json_schema</c> answer sent as a forced tool, that tool's name.</summary>
    public sealed record Built(AnthropicMessagesRequest Request, string? SchemaToolName);

    public static Built Create(IEnumerable<ChatMessage> messages, ChatOptions? options, bool stream)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (options?.ModelId is not { Length: > 0 } model)
        {
            throw new ArgumentException("ChatOptions.ModelId (the Anthropic model) is required.", nameof(options));
        }

        var budget = ThinkingBudget(options);
        var structured = PlanStructuredOutput(options, budget);
        var maxTokens = options.MaxOutputTokens ?? (budget is { } b ? b + DefaultMaxTokens : DefaultMaxTokens);
        if (budget is { } bb && maxTokens <= bb)
        {
            maxTokens += bb; // Anthropic: budget_tokens < max_tokens (thinking counts towards max_tokens)
        }

        var request = new AnthropicMessagesRequest
        {
            Model = model,
            MaxTokens = maxTokens,
            StopSequences = options.StopSequences is { Count: > 0 } stop ? [.. stop] : null,
            Temperature = budget is null ? Exact(options.Temperature) : null,
            TopP = Exact(options.TopP),
            TopK = budget is null ? options.TopK : null,
            Thinking = budget is { } tb ? new AnthropicThinking { BudgetTokens = tb } : null,
            Metadata = options.AdditionalProperties?.TryGetValue(UserIdKey, out string? user) == true && !string.IsNullOrEmpty(user)
                ? new AnthropicMetadata { UserId = user }
                : null,
            Stream = stream ? true : null,
        };

        var system = new StringBuilder();
        void AddSystem(string? text)
        {
            if (!string.IsNullOrEmpty(text))
            {
                system.Append(system.Length > 0 ? "\n\n" : "").Append(text);
            }
        }

        AddSystem(options.Instructions);
        var index = 0;
        foreach (var message in messages)
        {
            var path = $"messages[{index++}]";
            if (message.Role == ChatRole.System || message.Role.Value == "developer")
            {
                AddSystem(string.Concat(message.Contents.OfType<TextContent>().Select(t => t.Text)));
                continue;
            }

            var role = message.Role == ChatRole.Assistant ? "assistant" : "user";
            var blocks = Blocks(message, path);
            if (blocks.Count == 0)
            {
                continue;
            }

            if (request.Messages.Count > 0 && request.Messages[^1].Role == role)
            {
                request.Messages[^1].Content.AddRange(blocks);
            }
            else
            {
                request.Messages.Add(new AnthropicMessageParam { Role = role, Content = blocks });
            }
        }

        foreach (var turn in request.Messages.Where(m => m.Role == "user"))
        {
            // tool_result blocks must open the user turn that answers a tool_use turn.
            turn.Content = [.. turn.Content.Where(b => b.Type == "tool_result"), .. turn.Content.Where(b => b.Type != "tool_result")];
        }

        if (structured.Instruction is { } instruction)
        {
            AddSystem(instruction);
        }

        request.System = system.Length > 0 ? system.ToString() : null;
        AddTools(request, options, structured.ToolName);
        return new Built(request, structured.ToolName);
    }

    /// <summary>The thinking budget asked for: the gateway's key, else M.E.AI's reasoning effort; null when off.</summary>
    public static int? ThinkingBudget(ChatOptions? options)
    {
        if (options?.AdditionalProperties?.TryGetValue(ThinkingBudgetKey, out int budget) == true)
        {
            return budget > 0 ? Math.Max(budget, MinThinkingBudget) : null;
        }

        return options?.Reasoning?.Effort switch
        {
            ReasoningEffort.Low => 1024,
            ReasoningEffort.Medium => 4096,
            ReasoningEffort.High => 16384,
            ReasoningEffort.ExtraHigh => 32000,
            _ => null,
        };
    }

    /// <summary>
    /// Anthropic has no response_format. A <c>json_schema</c> is sent as a tool named after the schema that the
    /// model is forced to call, its input becoming the answer text; where a forced tool is not possible (the client
    /// sent tools of its own, thinking is on, or the schema is not an object) the schema goes into the system
    /// prompt as an instruction instead, as does <c>json_object</c>. Only the forced tool is enforced by the API.
    /// </summary>
    public static (string? ToolName, string? Instruction) PlanStructuredOutput(ChatOptions? options, int? thinkingBudget)
    {
        if (options?.ResponseFormat is not ChatResponseFormatJson json)
        {
            return default;
        }

        if (json.Schema is not { } schema)
        {
            return (null, JsonObjectInstruction);
        }

        var isObject = schema.ValueKind == JsonValueKind.Object &&
                       (!schema.TryGetProperty("type", out var type) || type.ValueKind == JsonValueKind.String && type.GetString() == "object");
        return options.Tools is not { Count: > 0 } && thinkingBudget is null && isObject
            ? (ToolName(json.SchemaName), null)
            : (null, "Respond with a single JSON value that conforms to this JSON schema, and no other text:\n" + schema.GetRawText());
    }

    /// <summary>float → double by its shortest text, so 0.2f goes out as 0.2 rather than 0.20000000298023224.</summary>
    private static double? Exact(float? value) =>
        value is { } v ? double.Parse(v.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : null;

    private static string ToolName(string? schemaName)
    {
        var name = new string((schemaName ?? "").Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_').ToArray());
        return name.Length == 0 ? "json_response" : name.Length > 64 ? name[..64] : name;
    }

    private static void AddTools(AnthropicMessagesRequest request, ChatOptions options, string? schemaTool)
    {
        if (schemaTool is not null && options.ResponseFormat is ChatResponseFormatJson { Schema: { } schema } json)
        {
            request.Tools = [new AnthropicToolParam
            {
                Name = schemaTool,
                Description = json.SchemaDescription ?? "Give the final answer as this tool's input.",
                InputSchema = WithObjectType(schema),
            }];
            request.ToolChoice = new AnthropicToolChoice { Type = "tool", Name = schemaTool };
            return;
        }

        var functions = options.Tools?.OfType<AIFunctionDeclaration>().ToList();
        if (functions is not { Count: > 0 })
        {
            return;
        }

        request.Tools = [.. functions.Select(f => new AnthropicToolParam
        {
            Name = f.Name,
            Description = string.IsNullOrEmpty(f.Description) ? null : f.Description,
            InputSchema = WithObjectType(f.JsonSchema),
        })];

        var disableParallel = options.AllowMultipleToolCalls == false ? true : (bool?)null;
        request.ToolChoice = options.ToolMode switch
        {
            NoneChatToolMode => new AnthropicToolChoice { Type = "none" },
            RequiredChatToolMode { RequiredFunctionName: { } name } =>
                new AnthropicToolChoice { Type = "tool", Name = name, DisableParallelToolUse = disableParallel },
            RequiredChatToolMode => new AnthropicToolChoice { Type = "any", DisableParallelToolUse = disableParallel },
            AutoChatToolMode => new AnthropicToolChoice { Type = "auto", DisableParallelToolUse = disableParallel },
            _ => disableParallel is null ? null : new AnthropicToolChoice { Type = "auto", DisableParallelToolUse = true },
        };
    }

    /// <summary>Anthropic requires <c>input_schema.type</c> = <c>object</c>; a schema without a type gets it.</summary>
    private static JsonElement WithObjectType(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement;
        }

        if (schema.TryGetProperty("type", out _))
        {
            return schema;
        }

        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, "object"u8);
            foreach (var property in schema.EnumerateObject())
            {
                property.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        return JsonDocument.Parse(stream.ToArray()).RootElement;
    }

    private static List<AnthropicBlockParam> Blocks(ChatMessage message, string path)
    {
        var blocks = new List<AnthropicBlockParam>(message.Contents.Count);
        var assistant = message.Role == ChatRole.Assistant;
        foreach (var content in message.Contents)
        {
            switch (content)
            {
                case TextContent { Text: var text }:
                    if (!string.IsNullOrEmpty(text))
                    {
                        blocks.Add(new AnthropicBlockParam { Type = "text", Text = text });
                    }

                    break;
                case TextReasoningContent { ProtectedData: { Length: > 0 } signature } reasoning when assistant:
                    // Only a signed thinking block can be sent back; unsigned reasoning text is dropped.
                    blocks.Add(new AnthropicBlockParam { Type = "thinking", Thinking = reasoning.Text, Signature = signature });
                    break;
                case TextReasoningContent:
                    break;
                case FunctionCallContent call when assistant:
                    blocks.Add(new AnthropicBlockParam { Type = "tool_use", Id = call.CallId, Name = call.Name, Input = ToolInput(call) });
                    break;
                case FunctionResultContent result:
                    blocks.Add(new AnthropicBlockParam
                    {
                        Type = "tool_result",
                        ToolUseId = result.CallId,
                        Content = AbstractCore.Chat.FunctionResults.Text(result.Result) is { Length: > 0 } output ? output : null,
                    });
                    break;
                case DataContent data when !assistant:
                    blocks.Add(Data(data, path));
                    break;
                case UriContent uri when !assistant:
                    blocks.Add(Uri(uri, path));
                    break;
                default:
                    throw GatewayException.BadRequest(
                        $"{path}: {Describe(content)} cannot be sent to Anthropic (it takes text, images, PDF and text documents, " +
                        "tool calls and tool results).", path, "unsupported_content");
            }
        }

        return blocks;
    }

    private static AnthropicBlockParam Data(DataContent data, string path)
    {
        var media = data.MediaType;
        if (media.StartsWith("image/", StringComparison.OrdinalIgnoreCase))
        {
            return new AnthropicBlockParam
            {
                Type = "image",
                Source = new AnthropicSource { Type = "base64", MediaType = media, Data = data.Base64Data.ToString() },
            };
        }

        if (media.Equals("application/pdf", StringComparison.OrdinalIgnoreCase))
        {
            return new AnthropicBlockParam
            {
                Type = "document",
                Title = data.Name,
                Source = new AnthropicSource { Type = "base64", MediaType = "application/pdf", Data = data.Base64Data.ToString() },
            };
        }

        if (media.StartsWith("text/", StringComparison.OrdinalIgnoreCase))
        {
            return new AnthropicBlockParam
            {
                Type = "document",
                Title = data.Name,
                Source = new AnthropicSource { Type = "text", MediaType = "text/plain", Data = Encoding.UTF8.GetString(data.Data.Span) },
            };
        }

        throw GatewayException.BadRequest(
            $"{path}: {media} content cannot be sent to Anthropic (images, PDF and text documents only).", path, "unsupported_content");
    }

    private static AnthropicBlockParam Uri(UriContent content, string path)
    {
        var uri = content.Uri;
        if (uri.Scheme != System.Uri.UriSchemeHttps && uri.Scheme != System.Uri.UriSchemeHttp)
        {
            throw GatewayException.BadRequest($"{path}: only http(s) URLs can be sent to Anthropic.", path, "unsupported_content");
        }

        var type = content.MediaType.Equals("application/pdf", StringComparison.OrdinalIgnoreCase) ? "document"
            : content.HasTopLevelMediaType("image") ? "image"
            : throw GatewayException.BadRequest(
                $"{path}: {content.MediaType} URLs cannot be sent to Anthropic (images and PDF only).", path, "unsupported_content");
        return new AnthropicBlockParam { Type = type, Source = new AnthropicSource { Type = "url", Url = uri.AbsoluteUri } };
    }

    /// <summary>
    /// The call's arguments as the object Anthropic wants for <c>input</c>: the client's argument string verbatim
    /// when it is a JSON object; a JSON non-object is kept as <c>{"value":…}</c> and a string that is not JSON as
    /// <c>{"_raw_arguments":"…"}</c>, so the model still sees what was called rather than an empty object.
    /// </summary>
    private static JsonElement ToolInput(FunctionCallContent call)
    {
        if (call.RawRepresentation is ToolCallDto { Function: { } function })
        {
            var raw = function.Arguments;
            if (string.IsNullOrWhiteSpace(raw))
            {
                return EmptyObject;
            }

            try
            {
                using var doc = JsonDocument.Parse(raw);
                return doc.RootElement.ValueKind == JsonValueKind.Object ? doc.RootElement.Clone() : Wrap("value", doc.RootElement, null);
            }
            catch (JsonException)
            {
                return Wrap("_raw_arguments", null, raw);
            }
        }

        return call.Arguments is null
            ? EmptyObject
            : JsonSerializer.SerializeToElement(call.Arguments, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>)));
    }

    private static JsonElement Wrap(string name, JsonElement? value, string? text)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WritePropertyName(name);
            if (value is { } v)
            {
                v.WriteTo(writer);
            }
            else
            {
                writer.WriteStringValue(text);
            }

            writer.WriteEndObject();
        }

        return JsonDocument.Parse(stream.ToArray()).RootElement;
    }

    private static string Describe(AIContent content) => content switch
    {
        DataContent d => d.MediaType + " content",
        HostedFileContent => "a file id",
        FunctionCallContent => "a tool call outside an assistant turn",
        _ => content.GetType().Name,
    };
}

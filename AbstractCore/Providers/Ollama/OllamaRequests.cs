using System.Text.Json;
using AbstractCore.Chat;
using AbstractCore.OpenAI.Chat;
using Microsoft.Extensions.AI;

namespace AbstractCore.Providers.Ollama;

/// <summary>
/// Microsoft.Extensions.AI messages and options → an Ollama <c>/api/chat</c> request, with Ollama's native tool
/// calling: assistant tool calls keep their arguments as an object, tool results go out as role <c>tool</c> with
/// the <c>tool_name</c> of the call they answer, images as raw base64. Input Ollama cannot take is a 400 naming
/// the field (message indexes are the client's: the gateway converts messages one to one).
/// </summary>
internal static class OllamaRequests
{
    /// <summary><see cref="ChatOptions.AdditionalProperties"/> key: <c>true</c>, <c>false</c> or a level string.</summary>
    public const string ThinkProperty = "think";

    /// <summary><see cref="ChatOptions.AdditionalProperties"/> key: Ollama's <c>keep_alive</c> (a duration string or seconds).</summary>
    public const string KeepAliveProperty = "keep_alive";

    public static OllamaChatRequest Build(IEnumerable<ChatMessage> messages, ChatOptions? options, bool stream)
    {
        var model = options?.ModelId;
        if (string.IsNullOrWhiteSpace(model))
        {
            throw new ArgumentException("Ollama needs a model: set ChatOptions.ModelId.", nameof(options));
        }

        return new OllamaChatRequest
        {
            Model = model,
            Messages = Messages(options!.Instructions is { Length: > 0 } instructions
                ? [new ChatMessage(ChatRole.System, instructions), .. messages]
                : messages),
            Stream = stream,
            Tools = Tools(options!),
            Think = Think(options!),
            Format = Format(options!.ResponseFormat),
            Options = Options(options),
            KeepAlive = options.AdditionalProperties?.TryGetValue(KeepAliveProperty, out var keepAlive) == true ? Element(keepAlive) : null,
        };
    }

    private static List<OllamaMessage> Messages(IEnumerable<ChatMessage> messages)
    {
        var result = new List<OllamaMessage>();
        var toolNames = new Dictionary<string, string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var message in messages)
        {
            var path = $"messages[{index++}]";
            if (message.Role == ChatRole.Tool)
            {
                foreach (var content in message.Contents)
                {
                    if (content is FunctionResultContent r)
                    {
                        result.Add(new OllamaMessage
                        {
                            Role = "tool",
                            Content = FunctionResults.Text(r.Result) ?? "",
                            ToolName = toolNames.GetValueOrDefault(r.CallId),
                            ToolCallId = r.CallId,
                        });
                    }
                }

                continue;
            }

            result.Add(Convert(message, path, toolNames));
        }

        return result;
    }

    private static OllamaMessage Convert(ChatMessage message, string path, Dictionary<string, string> toolNames)
    {
        var ollama = new OllamaMessage
        {
            Role = message.Role == ChatRole.System || message.Role == ChatMessageConverter.Developer ? "system" : message.Role.Value,
        };

        List<string>? texts = null;
        List<string>? thinking = null;
        var callIndex = 0;
        for (var i = 0; i < message.Contents.Count; i++)
        {
            var partPath = $"{path}.content[{i}]";
            switch (message.Contents[i])
            {
                case TextContent t:
                    (texts ??= []).Add(t.Text);
                    break;
                case TextReasoningContent r when !string.IsNullOrEmpty(r.Text):
                    (thinking ??= []).Add(r.Text);
                    break;
                case DataContent d when d.HasTopLevelMediaType("image"):
                    (ollama.Images ??= []).Add(d.Base64Data.ToString());
                    break;
                case DataContent d:
                    throw GatewayException.BadRequest(
                        $"{partPath} is {d.MediaType}: Ollama's chat takes text and images only.", partPath);
                case UriContent u:
                    throw GatewayException.BadRequest(
                        $"{partPath} is an image URL ({u.Uri.Scheme}): Ollama takes images inline only, so send the image as a " +
                        "data: URI (data:image/png;base64,…) instead of a link.", $"{partPath}.image_url.url", "image_url_not_supported");
                case HostedFileContent:
                    throw GatewayException.BadRequest(
                        $"{partPath} refers to an uploaded file id, which Ollama cannot read: send the content inline.", partPath);
                case FunctionCallContent call:
                    var callPath = $"{path}.tool_calls[{callIndex++}]";
                    (ollama.ToolCalls ??= []).Add(new OllamaToolCall
                    {
                        Id = call.CallId,
                        Function = new OllamaFunctionCall { Name = call.Name, Arguments = Arguments(call, callPath) },
                    });
                    toolNames[call.CallId] = call.Name;
                    break;
            }
        }

        if (message.RawRepresentation is ChatMessageDto { ReasoningContent: { Length: > 0 } reasoning })
        {
            (thinking ??= []).Add(reasoning);
        }

        ollama.Content = texts is null ? "" : string.Join("\n", texts);
        ollama.Thinking = thinking is null ? null : string.Concat(thinking);
        return ollama;
    }

    /// <summary>The call's arguments as a JSON object: the client's own string when it sent one, else the parsed values.</summary>
    private static JsonElement Arguments(FunctionCallContent call, string path)
    {
        if (call.RawRepresentation is ToolCallDto dto)
        {
            var raw = dto.Function?.Arguments;
            if (string.IsNullOrWhiteSpace(raw))
            {
                return EmptyObject;
            }

            try
            {
                using var doc = JsonDocument.Parse(raw);
                if (doc.RootElement.ValueKind == JsonValueKind.Object)
                {
                    return doc.RootElement.Clone();
                }
            }
            catch (JsonException)
            {
            }

            throw GatewayException.BadRequest(
                $"{path}.function.arguments must be a JSON object: Ollama takes tool arguments as an object.", $"{path}.function.arguments");
        }

        return call.Arguments is null
            ? EmptyObject
            : JsonSerializer.SerializeToElement(call.Arguments, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>)));
    }

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement;

    private static List<OllamaTool>? Tools(ChatOptions options)
    {
        if (options.Tools is not { Count: > 0 } tools || options.ToolMode is NoneChatToolMode)
        {
            return null;
        }

        var required = (options.ToolMode as RequiredChatToolMode)?.RequiredFunctionName;
        var result = new List<OllamaTool>(tools.Count);
        foreach (var tool in tools.OfType<AIFunctionDeclaration>())
        {
            if (required is null || tool.Name == required)
            {
                result.Add(new OllamaTool
                {
                    Function = new OllamaToolFunction { Name = tool.Name, Description = NullIfEmpty(tool.Description), Parameters = tool.JsonSchema },
                });
            }
        }

        return result.Count > 0 ? result : null;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>An explicit <see cref="ThinkProperty"/> wins; otherwise M.E.AI's reasoning effort is translated.</summary>
    private static JsonElement? Think(ChatOptions options)
    {
        if (options.AdditionalProperties?.TryGetValue(ThinkProperty, out var think) == true)
        {
            return Element(think);
        }

        return options.Reasoning?.Effort switch
        {
            ReasoningEffort.None => Bool(false),
            ReasoningEffort.Low => Text("low"),
            ReasoningEffort.Medium => Text("medium"),
            ReasoningEffort.High or ReasoningEffort.ExtraHigh => Text("high"),
            _ => null,
        };
    }

    private static JsonElement? Format(ChatResponseFormat? format) => format switch
    {
        ChatResponseFormatJson { Schema: { } schema } => schema,
        ChatResponseFormatJson => Text("json"),
        _ => null,
    };

    private static OllamaOptions? Options(ChatOptions options)
    {
        var result = new OllamaOptions
        {
            Temperature = options.Temperature,
            TopP = options.TopP,
            TopK = options.TopK,
            NumPredict = options.MaxOutputTokens,
            Seed = options.Seed,
            Stop = options.StopSequences is { Count: > 0 } stop ? stop : null,
            PresencePenalty = options.PresencePenalty,
            FrequencyPenalty = options.FrequencyPenalty,
        };
        return result.IsEmpty ? null : result;
    }

    public static JsonElement Bool(bool value) => JsonSerializer.SerializeToElement(value, OllamaJsonContext.Default.Boolean);

    public static JsonElement Text(string value) => JsonSerializer.SerializeToElement(value, OllamaJsonContext.Default.String);

    private static JsonElement? Element(object? value) => value switch
    {
        null => null,
        JsonElement { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => null,
        JsonElement e => e,
        bool b => Bool(b),
        string s => Text(s),
        _ => JsonSerializer.SerializeToElement(value, AIJsonUtilities.DefaultOptions.GetTypeInfo(value.GetType())),
    };
}

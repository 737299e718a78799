using System.Text.Json;
using AbstractCore.Chat.AgentFormats;
using AbstractCore.OpenAI.Chat;
using Microsoft.Extensions.AI;

namespace AbstractCore.Chat;

/// <summary>Wire messages → Microsoft.Extensions.AI messages, validating as it goes (errors name the field).</summary>
public static class ChatMessageConverter
{
    public static List<ChatMessage> Convert(List<ChatMessageDto> messages)
    {
        var result = new List<ChatMessage>(messages.Count);
        for (var i = 0; i < messages.Count; i++)
        {
            result.Add(Convert(messages[i], $"messages[{i}]"));
        }

        return result;
    }

    private static ChatMessage Convert(ChatMessageDto dto, string path)
    {
        var role = dto.Role switch
        {
            "system" => ChatRole.System,
            "developer" => Developer,
            "user" => ChatRole.User,
            "assistant" => ChatRole.Assistant,
            "tool" => ChatRole.Tool,
            null => throw GatewayException.BadRequest($"{path}.role is required.", $"{path}.role"),
            _ => throw GatewayException.BadRequest(
                $"{path}.role '{dto.Role}' is not one of system, developer, user, assistant, tool.", $"{path}.role"),
        };

        var message = new ChatMessage { Role = role, AuthorName = dto.Name, RawRepresentation = dto };
        if (role == ChatRole.Tool)
        {
            if (string.IsNullOrEmpty(dto.ToolCallId))
            {
                throw GatewayException.BadRequest($"{path}.tool_call_id is required on tool messages.", $"{path}.tool_call_id");
            }

            message.Contents.Add(new FunctionResultContent(dto.ToolCallId, JoinText(dto.Content, path)));
            return message;
        }

        AddContent(message.Contents, dto.Content, path);
        if (dto.ToolCalls is { Count: > 0 } calls)
        {
            StripRenderedCalls(message.Contents);
            for (var i = 0; i < calls.Count; i++)
            {
                message.Contents.Add(ToFunctionCall(calls[i], $"{path}.tool_calls[{i}]"));
            }
        }

        return message;
    }

    /// <summary>
    /// An assistant turn that carries its calls as <c>tool_calls</c> may also hold them as text, rendered by an
    /// <c>agent_format</c> (or by an older gateway that did so unasked). The upstream gets the calls once, structured:
    /// markup sent back as assistant text would teach the model to answer in markup instead of calling tools.
    /// </summary>
    private static void StripRenderedCalls(IList<AIContent> contents)
    {
        for (var i = contents.Count - 1; i >= 0; i--)
        {
            if (contents[i] is TextContent { Text: { } text } && ToolCallText.ContainsCall(text))
            {
                var cleaned = ToolCallText.Clean(text);
                if (cleaned.Length == 0)
                {
                    contents.RemoveAt(i);
                }
                else
                {
                    contents[i] = new TextContent(cleaned);
                }
            }
        }
    }

    /// <summary>M.E.AI has no developer role; OpenAI upstreams receive it by name.</summary>
    public static readonly ChatRole Developer = new("developer");

    private static FunctionCallContent ToFunctionCall(ToolCallDto call, string path)
    {
        if (string.IsNullOrEmpty(call.Id) || string.IsNullOrEmpty(call.Function?.Name))
        {
            throw GatewayException.BadRequest($"{path} needs an id and function.name.", path);
        }

        var arguments = call.Function.Arguments;
        Dictionary<string, object?>? parsed = null;
        if (!string.IsNullOrWhiteSpace(arguments))
        {
            try
            {
                parsed = JsonSerializer.Deserialize(arguments, ChatJsonContext.Default.DictionaryStringObject);
            }
            catch (JsonException)
            {
                // Kept verbatim through RawRepresentation; providers that need an object see none.
            }
        }

        return new FunctionCallContent(call.Id, call.Function.Name, parsed) { RawRepresentation = call };
    }

    private static void AddContent(IList<AIContent> contents, JsonElement? content, string path)
    {
        if (content is not { } value || value.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            contents.Add(new TextContent(value.GetString()));
            return;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw GatewayException.BadRequest($"{path}.content must be a string, an array of content parts, or null.", $"{path}.content");
        }

        var index = 0;
        foreach (var part in value.EnumerateArray())
        {
            contents.Add(ContentPart.Convert(part, $"{path}.content[{index++}]"));
        }
    }

    private static string JoinText(JsonElement? content, string path)
    {
        var contents = new List<AIContent>();
        AddContent(contents, content, path);
        return string.Concat(contents.OfType<TextContent>().Select(t => t.Text));
    }
}

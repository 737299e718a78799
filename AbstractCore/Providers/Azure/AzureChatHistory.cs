using System.Text.Json;
using AbstractCore.Chat;
using AbstractCore.OpenAI.Chat;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;
using OpenAI.Chat;
using Sk = Microsoft.SemanticKernel;

namespace AbstractCore.Providers.Azure;

/// <summary>
/// The conversation as the connector's <see cref="ChatHistory"/>. An assistant turn's tool calls travel as the connector's
/// own tool-call list (<see cref="FunctionToolCallsKey"/>) with their argument text as the client sent it, and each tool result as a tool turn naming its call (<see cref="OpenAIChatMessageContent.ToolIdProperty"/>);
/// reasoning from earlier turns is left out (Azure's chat API takes none back).
/// </summary>
internal static class AzureChatHistory
{
    /// <summary>
    /// The metadata key under which the connector keeps an assistant turn's SDK tool calls (it writes it on its own answers and
    /// reads it back from the history; its constant is internal). Its other way in, function-call items, re-serializes the
    /// arguments from parsed values.
    /// </summary>
    private const string FunctionToolCallsKey = "ChatResponseMessage.FunctionToolCalls";

    public static ChatHistory From(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages, string? instructions)
    {
        var history = new ChatHistory();
        if (!string.IsNullOrEmpty(instructions))
        {
            history.AddSystemMessage(instructions);
        }

        var index = 0;
        foreach (var message in messages)
        {
            var path = $"messages[{index++}]";
            if (message.Role == ChatRole.Tool)
            {
                foreach (var result in message.Contents.OfType<FunctionResultContent>())
                {
                    history.Add(new Sk.ChatMessageContent(AuthorRole.Tool, FunctionResults.Text(result.Result) ?? "",
                        metadata: new Dictionary<string, object?> { [OpenAIChatMessageContent.ToolIdProperty] = result.CallId }));
                }
            }
            else if (message.Role == ChatRole.Assistant)
            {
                history.Add(Assistant(message));
            }
            else if (message.Role == ChatRole.User)
            {
                history.Add(new Sk.ChatMessageContent(AuthorRole.User, [.. message.Contents.Select((c, i) => UserItem(c, $"{path}.content[{i}]")).OfType<Sk.KernelContent>()])
                {
                    AuthorName = message.AuthorName,
                });
            }
            else
            {
                var role = message.Role == ChatMessageConverter.Developer ? AuthorRole.Developer : AuthorRole.System;
                history.Add(new Sk.ChatMessageContent(role, message.Text) { AuthorName = message.AuthorName });
            }
        }

        return history;
    }

    private static Sk.ChatMessageContent Assistant(Microsoft.Extensions.AI.ChatMessage message)
    {
        var text = string.Concat(message.Contents.OfType<Microsoft.Extensions.AI.TextContent>().Select(t => t.Text));
        var calls = message.Contents.OfType<FunctionCallContent>()
            .Select(call => ChatToolCall.CreateFunctionToolCall(call.CallId, call.Name, BinaryData.FromString(ArgumentText(call))))
            .ToList();
        return new Sk.ChatMessageContent(AuthorRole.Assistant, text,
            metadata: calls.Count > 0 ? new Dictionary<string, object?> { [FunctionToolCallsKey] = calls } : null)
        {
            AuthorName = message.AuthorName,
        };
    }

    /// <summary>The client's own argument string when it sent one (the parsed form reorders and respells), else the values.</summary>
    private static string ArgumentText(FunctionCallContent call) => call switch
    {
        RawFunctionCallContent raw => raw.ArgumentsJson,
        { RawRepresentation: ToolCallDto { Function.Arguments: { Length: > 0 } arguments } } => arguments,
        { Arguments: { } values } => JsonSerializer.Serialize(values, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>))),
        _ => "{}",
    };

#pragma warning disable SKEXP0001 // The connector's audio and file parts: experimental in SK, the only way to send them through it.
    private static Sk.KernelContent? UserItem(AIContent content, string path) => content switch
    {
        Microsoft.Extensions.AI.TextContent t => new Sk.TextContent(t.Text),
        DataContent d when d.HasTopLevelMediaType("image") => new Sk.ImageContent(d.Data, d.MediaType),
        DataContent d when d.HasTopLevelMediaType("audio") => new Sk.AudioContent(d.Data, d.MediaType),
        DataContent d => new Sk.BinaryContent(d.Data, d.MediaType),
        UriContent u => new Sk.ImageContent(u.Uri),
        HostedFileContent => throw GatewayException.BadRequest(
            $"{path} refers to an uploaded file id, which the Azure connector cannot send: send the content inline.", path),
        _ => null,
    };
#pragma warning restore SKEXP0001
}

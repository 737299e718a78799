using System.Text.Json;
using AbstractCore.Chat;
using AbstractCore.Providers.OpenAICompatible;
using Microsoft.Extensions.AI;
using OpenAI.Chat;
using Sk = Microsoft.SemanticKernel;

namespace AbstractCore.Providers.Azure;

/// <summary>
/// What the connector answers, in the gateway's event model. The connector's metadata carries the usage (the SDK's
/// <see cref="ChatTokenUsage"/>, cached and reasoning tokens included), the finish reason (the SDK's enum by name) and
/// the completion's id; tool calls keep the argument text Azure sent.
/// </summary>
internal static class AzureAnswers
{
    public static ChatResponse ToChatResponse(Sk.ChatMessageContent answer)
    {
        var contents = new List<AIContent>();
        if (!string.IsNullOrEmpty(answer.Content))
        {
            contents.Add(new Microsoft.Extensions.AI.TextContent(answer.Content));
        }

        var calls = (answer as Sk.Connectors.OpenAI.OpenAIChatMessageContent)?.ToolCalls ?? [];
        foreach (var call in calls)
        {
            var json = call.FunctionArguments?.ToString() is { Length: > 0 } text ? text : "{}";
            contents.Add(new RawFunctionCallContent(call.Id, call.FunctionName, Arguments(json), json));
        }

        var response = new ChatResponse(new Microsoft.Extensions.AI.ChatMessage(ChatRole.Assistant, contents))
        {
            ResponseId = Meta(answer.Metadata, "Id") as string,
            ModelId = (answer.InnerContent as ChatCompletion)?.Model ?? answer.ModelId,
            CreatedAt = Meta(answer.Metadata, "CreatedAt") as DateTimeOffset?,
            FinishReason = FinishReason(Meta(answer.Metadata, "FinishReason")),
            Usage = Usage(Meta(answer.Metadata, "Usage")),
            RawRepresentation = answer.InnerContent,
        };

        if (answer.InnerContent is ChatCompletion { ContentTokenLogProbabilities.Count: > 0 } completion)
        {
            response.AdditionalProperties = Logprobs.With(response.AdditionalProperties, RawLogprobs.From(completion));
        }

        return response;
    }

    public static object? Meta(IReadOnlyDictionary<string, object?>? metadata, string key) =>
        metadata is not null && metadata.TryGetValue(key, out var value) ? value : null;

    /// <summary>The SDK's finish reason, which the connector keeps by its enum name (<c>ToolCalls</c>), in OpenAI's spelling.</summary>
    public static Microsoft.Extensions.AI.ChatFinishReason? FinishReason(object? reason) => reason switch
    {
        "Stop" => Microsoft.Extensions.AI.ChatFinishReason.Stop,
        "Length" => Microsoft.Extensions.AI.ChatFinishReason.Length,
        "ToolCalls" or "FunctionCall" => Microsoft.Extensions.AI.ChatFinishReason.ToolCalls,
        "ContentFilter" => Microsoft.Extensions.AI.ChatFinishReason.ContentFilter,
        string { Length: > 0 } other => new Microsoft.Extensions.AI.ChatFinishReason(other.ToLowerInvariant()),
        _ => null,
    };

    public static UsageDetails? Usage(object? usage) => usage is ChatTokenUsage u
        ? new UsageDetails
        {
            InputTokenCount = u.InputTokenCount,
            OutputTokenCount = u.OutputTokenCount,
            TotalTokenCount = u.TotalTokenCount,
            CachedInputTokenCount = u.InputTokenDetails?.CachedTokenCount,
            ReasoningTokenCount = u.OutputTokenDetails?.ReasoningTokenCount,
        }
        : null;

    /// <summary>The arguments as values for the callers that need them; null (sent on as its text) when they are no object.</summary>
    public static Dictionary<string, object?>? Arguments(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, ChatJsonContext.Default.DictionaryStringObject);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

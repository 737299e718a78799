using System.Text;
using System.Text.Json;
using AbstractCore.OpenAI.Chat;
using Microsoft.Extensions.AI;

namespace AbstractCore.Chat;

/// <summary>A Microsoft.Extensions.AI <see cref="ChatResponse"/> → an OpenAI <c>chat.completion</c>.</summary>
public static class ChatCompletionMapper
{
    public static ChatCompletion ToCompletion(ChatResponse response, string model, bool includeLogprobs = false)
    {
        StringBuilder? text = null, reasoning = null;
        List<ToolCallDto>? toolCalls = null;
        foreach (var content in response.Messages.SelectMany(m => m.Contents))
        {
            switch (content)
            {
                case TextContent t:
                    (text ??= new()).Append(t.Text);
                    break;
                case TextReasoningContent r:
                    (reasoning ??= new()).Append(r.Text);
                    break;
                case FunctionCallContent call:
                    (toolCalls ??= []).Add(ToToolCall(call));
                    break;
            }
        }

        return new ChatCompletion
        {
            Id = response.ResponseId ?? NewId(),
            Created = (response.CreatedAt ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds(),
            Model = model,
            Choices =
            [
                new ChatChoice
                {
                    Message = new AssistantMessage
                    {
                        // OpenAI sends null content on a pure tool-call turn and "" never for text turns.
                        Content = text?.ToString() ?? (toolCalls is null ? "" : null),
                        ReasoningContent = reasoning?.ToString(),
                        ToolCalls = toolCalls,
                    },
                    FinishReason = FinishReason(response.FinishReason, toolCalls is not null),
                    Logprobs = includeLogprobs ? Chat.Logprobs.Of(response.AdditionalProperties) : null,
                },
            ],
            Usage = ToUsage(response.Usage) ?? new Usage(),
        };
    }

    /// <summary>"tool_calls" only with calls: an upstream that says so without any (or whose text calls did not
    /// parse) would leave an agent waiting for a call that never comes.</summary>
    public static string FinishReason(ChatFinishReason? reason, bool hasToolCalls) => reason switch
    {
        null => hasToolCalls ? "tool_calls" : "stop",
        _ when reason == ChatFinishReason.ToolCalls && !hasToolCalls => "stop",
        _ => reason.Value.Value,
    };

    public static Usage? ToUsage(UsageDetails? usage) => usage is null ? null : new Usage
    {
        PromptTokens = usage.InputTokenCount ?? 0,
        CompletionTokens = usage.OutputTokenCount ?? 0,
        TotalTokens = usage.TotalTokenCount ?? (usage.InputTokenCount ?? 0) + (usage.OutputTokenCount ?? 0),
        PromptTokensDetails = usage.CachedInputTokenCount is { } cached ? new PromptTokensDetails { CachedTokens = cached } : null,
        CompletionTokensDetails = usage.ReasoningTokenCount is { } r ? new CompletionTokensDetails { ReasoningTokens = r } : null,
    };

    /// <summary>A call as OpenAI writes it: its arguments as the upstream spelled them when kept (<see cref="RawFunctionCallContent"/>).</summary>
    public static ToolCallDto ToToolCall(FunctionCallContent call, int? index = null) => new()
    {
        Index = index,
        Id = call.CallId,
        Type = "function",
        Function = new FunctionCallDto { Name = call.Name, Arguments = (call as RawFunctionCallContent)?.ArgumentsJson ?? Serialize(call.Arguments) },
    };

    public static string NewId() => "chatcmpl-" + Guid.NewGuid().ToString("N");

    private static string Serialize(IDictionary<string, object?>? arguments) =>
        arguments is null ? "{}" : JsonSerializer.Serialize(arguments, ChatJsonContext.Default.IDictionaryStringObject);
}

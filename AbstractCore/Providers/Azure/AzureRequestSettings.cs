using System.Text.Json;
using AbstractCore.Chat;
using AbstractCore.OpenAI.Chat;
using AbstractCore.Providers.OpenAICompatible;
using Microsoft.SemanticKernel.Connectors.AzureOpenAI;
using OpenAI.Chat;

namespace AbstractCore.Providers.Azure;

/// <summary>
/// A chat request as the connector's <see cref="AzureOpenAIPromptExecutionSettings"/>: the fields it has a setting for go
/// in typed (sampling, <c>max_completion_tokens</c> for reasoning deployments, <c>response_format</c>, <c>reasoning_effort</c>,
/// logprobs); the client's tool list, its <c>tool_choice</c> and every field the settings do not model go through the
/// connector's <c>ExtraBody</c> as the client wrote them. Tools are not expressed as kernel functions: the connector
/// rebuilds a function's schema from its parameters, which would drop what the client's schema says beyond them
/// (<c>additionalProperties</c>, <c>$defs</c>, <c>strict</c>). <c>n</c> above 1 cannot be expressed (the connector reads
/// one choice): it is dropped with a warning.
/// </summary>
internal static class AzureRequestSettings
{
#pragma warning disable SKEXP0010 // ExtraBody is the connector's documented way to send fields it does not model.
#pragma warning disable OPENAI001 // ChatReasoningEffortLevel: the SDK's (evaluation) type for reasoning_effort, which the connector takes.
    public static AzureOpenAIPromptExecutionSettings Create(
        ChatCompletionRequest request, Microsoft.Extensions.AI.ChatOptions options, ICollection<string> warnings)
    {
        var settings = new AzureOpenAIPromptExecutionSettings
        {
            ModelId = options.ModelId,
            Temperature = request.Temperature,
            TopP = request.TopP,
            MaxTokens = options.MaxOutputTokens,
            // Reasoning deployments (o-series, gpt-5) refuse max_tokens: a client that said max_completion_tokens gets that name.
            SetNewMaxCompletionTokensEnabled = request.MaxCompletionTokens is not null,
            StopSequences = options.StopSequences,
            Seed = request.Seed,
            PresencePenalty = request.PresencePenalty,
            FrequencyPenalty = request.FrequencyPenalty,
            ResponseFormat = ResponseFormat(request.ResponseFormat),
            User = request.User,
            Logprobs = request.Logprobs,
            TopLogprobs = request.TopLogprobs,
            ReasoningEffort = Effort(request),
        };

        var extra = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (request.Tools is { ValueKind: JsonValueKind.Array } tools && tools.GetArrayLength() > 0)
        {
            extra["tools"] = tools;
            if (request.ToolChoice is { ValueKind: not JsonValueKind.Null } choice)
            {
                extra["tool_choice"] = choice;
            }

            if (request.ParallelToolCalls is { } parallel)
            {
                extra["parallel_tool_calls"] = parallel;
            }
        }

        foreach (var (name, value) in request.Extra ?? [])
        {
            if (OpenAIRequestOptions.GatewayOnly.Contains(name) || name is "prompt_cache_binding" or "stream_options")
            {
                continue;
            }

            if (name == "n")
            {
                if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var n) || n != 1)
                {
                    warnings.Add("n is not supported through Azure's connector: one choice is returned");
                }

                continue;
            }

            extra[name] = value;
        }

        settings.ExtraBody = extra.Count > 0 ? extra : null;
        return settings;
    }

    /// <summary>The connector's spelling: <c>"text"</c>, <c>"json_object"</c>, or the whole json_schema object (kept whole: its
    /// name and <c>strict</c> reach Azure as sent). ChatOptionsMapper already refused anything else.</summary>
    private static object? ResponseFormat(JsonElement? format) =>
        format is { ValueKind: JsonValueKind.Object } f && f.TryGetProperty("type", out var type)
            ? type.GetString() switch
            {
                "text" => "text",
                "json_object" => "json_object",
                _ => f,
            }
            : null;

    /// <summary>
    /// OpenAI's own <c>reasoning_effort</c> goes as written; the gateway's <c>thinking</c> as OpenAI's levels (deployment names
    /// say nothing of the model, so a deployment without reasoning answers Azure's own 400).
    /// </summary>
    private static ChatReasoningEffortLevel? Effort(ChatCompletionRequest request)
    {
        var mode = Thinking.From(request); // validates both fields
        if (request.Thinking is null && request.ReasoningEffort is { } effort)
        {
            return new ChatReasoningEffortLevel(effort);
        }

        if (mode == ThinkingMode.Default)
        {
            return null;
        }

        return mode switch
        {
            ThinkingMode.Off => new ChatReasoningEffortLevel("none"),
            ThinkingMode.Low => ChatReasoningEffortLevel.Low,
            ThinkingMode.On or ThinkingMode.Medium => ChatReasoningEffortLevel.Medium,
            ThinkingMode.High => ChatReasoningEffortLevel.High,
            _ => new ChatReasoningEffortLevel("xhigh"),
        };
    }
#pragma warning restore OPENAI001
#pragma warning restore SKEXP0010
}

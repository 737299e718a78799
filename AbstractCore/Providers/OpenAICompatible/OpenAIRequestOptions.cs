using System.Globalization;
using System.Text.Json;
using AbstractCore.OpenAI.Chat;
using Microsoft.Extensions.AI;
using OpenAI.Chat;

namespace AbstractCore.Providers.OpenAICompatible;

/// <summary>
/// For OpenAI-compatible upstreams the request fields travel as the client wrote them (raw JSON patched into
/// the SDK's request), so tool schemas, <c>max_tokens</c> vs <c>max_completion_tokens</c> and unknown
/// fields reach the upstream unchanged instead of being re-derived by the abstraction.
/// </summary>
internal static class OpenAIRequestOptions
{
    /// <summary>
    /// AbstractCore's own extensions: consumed by the gateway, never forwarded. <c>prompt_cache_binding</c> is forwarded:
    /// the plan refuses it for every provider but the runtime that verifies it, and normalises it first.
    /// </summary>
    internal static readonly HashSet<string> GatewayOnly = new(StringComparer.Ordinal)
    {
        "api_key", "base_url", "agent_format", "thinking", "timeout_s", "unload_after",
    };

    public static ChatOptions Create(ChatCompletionRequest request, string model, IReadOnlyList<(string Name, string Json)>? extra = null) => new()
    {
        ModelId = model,
        RawRepresentationFactory = _ => Build(request, extra),
    };

    private static ChatCompletionOptions Build(ChatCompletionRequest r, IReadOnlyList<(string Name, string Json)>? extra)
    {
        var options = new ChatCompletionOptions();
#pragma warning disable SCME0001 // JsonPatch is the SDK's way to send fields as given (a struct: always set through options.Patch).
        void Raw(string name, JsonElement? value)
        {
            if (value is { ValueKind: not JsonValueKind.Undefined } v)
            {
                options.Patch.Set(Path(name), BinaryData.FromString(v.GetRawText()));
            }
        }

        void Number(string name, double? value)
        {
            if (value is { } v)
            {
                options.Patch.Set(Path(name), BinaryData.FromString(v.ToString("R", CultureInfo.InvariantCulture)));
            }
        }

        void Bool(string name, bool? value)
        {
            if (value is { } v)
            {
                options.Patch.Set(Path(name), BinaryData.FromString(v ? "true" : "false"));
            }
        }

        Raw("tools", r.Tools);
        Raw("tool_choice", r.ToolChoice);
        Bool("parallel_tool_calls", r.ParallelToolCalls);
        Number("temperature", r.Temperature);
        Number("top_p", r.TopP);
        Number("max_tokens", r.MaxTokens);
        Number("max_completion_tokens", r.MaxCompletionTokens);
        Raw("stop", r.Stop);
        Number("seed", r.Seed);
        Number("presence_penalty", r.PresencePenalty);
        Number("frequency_penalty", r.FrequencyPenalty);
        Raw("response_format", r.ResponseFormat);
        if (r.User is not null)
        {
            options.Patch.Set(Path("user"), BinaryData.FromObjectAsJson(r.User));
        }

        foreach (var (name, json) in extra ?? [])
        {
            options.Patch.Set(Path(name), BinaryData.FromString(json));
        }

        Bool("logprobs", r.Logprobs);
        Number("top_logprobs", r.TopLogprobs);
        if (r.Extra is not null)
        {
            foreach (var (name, value) in r.Extra)
            {
                if (!GatewayOnly.Contains(name) && name is not ("model" or "messages" or "stream" or "stream_options") &&
                    !(name == "prompt_cache_binding" && value.ValueKind == JsonValueKind.Null)) // null: no binding, as the relay drops it
                {
                    Raw(name, value);
                }
            }
        }
#pragma warning restore SCME0001
        return options;
    }

    private static byte[] Path(string name) =>
        System.Text.Encoding.UTF8.GetBytes("$['" + name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "']");

    /// <summary>Assistant turns with tool calls go out with their argument strings verbatim.</summary>
    public static void KeepToolCallsVerbatim(IList<Microsoft.Extensions.AI.ChatMessage> messages)
    {
        foreach (var message in messages)
        {
            if (message.RawRepresentation is not ChatMessageDto { ToolCalls.Count: > 0 } dto)
            {
                continue;
            }

            var calls = dto.ToolCalls.Select(c => ChatToolCall.CreateFunctionToolCall(
                c.Id, c.Function!.Name, BinaryData.FromString(string.IsNullOrEmpty(c.Function.Arguments) ? "{}" : c.Function.Arguments)));
            var assistant = new AssistantChatMessage(calls);
            var text = message.Text;
            if (!string.IsNullOrEmpty(text))
            {
                assistant.Content.Add(ChatMessageContentPart.CreateTextPart(text));
            }

            if (message.AuthorName is not null)
            {
                assistant.ParticipantName = message.AuthorName;
            }

            message.RawRepresentation = assistant;
        }
    }
}

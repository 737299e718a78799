using System.Runtime.CompilerServices;
using System.Text;
using AbstractCore.Chat;
using AbstractCore.Chat.Streaming;
using Microsoft.Extensions.AI;
using OpenAI.Chat;

namespace AbstractCore.Providers.OpenAICompatible;

/// <summary>
/// The OpenAI SDK's Microsoft.Extensions.AI adapter, completed with what it leaves in the SDK's own objects. It hands
/// over a streamed tool call only once the stream has ended, while the SDK's updates (each update's raw
/// representation) carry the argument fragments as they came: they pass on as <see cref="ToolCallFragment"/>s and the
/// adapter's whole calls are marked as already streamed. Token log probabilities, which Microsoft.Extensions.AI has no
/// type for, are lifted into <see cref="Logprobs"/> so the mappers never look at SDK types.
/// </summary>
internal sealed class OpenAISdkChatClient(IChatClient inner) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var response = await base.GetResponseAsync(messages, options, cancellationToken);
        if (response.RawRepresentation is ChatCompletion { ToolCalls.Count: > 0 } completion)
        {
            KeepArgumentText(response, completion);
        }

        if (response.RawRepresentation is ChatCompletion { ContentTokenLogProbabilities.Count: > 0 } or ChatCompletion { RefusalTokenLogProbabilities.Count: > 0 })
        {
            response.AdditionalProperties = Logprobs.With(response.AdditionalProperties, RawLogprobs.From(response.RawRepresentation));
        }

        return response;
    }

    /// <summary>The calls with their arguments as the upstream wrote them (<see cref="RawFunctionCallContent"/>).</summary>
    private static void KeepArgumentText(ChatResponse response, ChatCompletion completion)
    {
        foreach (var message in response.Messages)
        {
            for (var i = 0; i < message.Contents.Count; i++)
            {
                if (message.Contents[i] is FunctionCallContent call and not RawFunctionCallContent &&
                    completion.ToolCalls.FirstOrDefault(c => c.Id == call.CallId)?.FunctionArguments?.ToString() is { } json)
                {
                    message.Contents[i] = new RawFunctionCallContent(call.CallId, call.Name, call.Arguments, json)
                    {
                        RawRepresentation = call.RawRepresentation,
                        AdditionalProperties = call.AdditionalProperties,
                    };
                }
            }
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Dictionary<int, (string Id, StringBuilder Json)>? calls = null;
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken))
        {
            if (update.RawRepresentation is StreamingChatCompletionUpdate { ToolCallUpdates.Count: > 0 } raw)
            {
                foreach (var part in raw.ToolCallUpdates)
                {
                    var arguments = part.FunctionArgumentsUpdate?.ToString() ?? "";
                    if ((calls ??= []).TryGetValue(part.Index, out var call))
                    {
                        call.Json.Append(arguments);
                        if (arguments.Length > 0)
                        {
                            update.Contents.Add(new ToolCallFragment(call.Id, null, arguments));
                        }
                    }
                    else if (part.ToolCallId is { Length: > 0 } id)
                    {
                        calls[part.Index] = (id, new StringBuilder(arguments));
                        update.Contents.Add(new ToolCallFragment(id, part.FunctionName ?? "", arguments));
                    }
                }
            }

            for (var i = 0; calls is not null && i < update.Contents.Count; i++)
            {
                if (update.Contents[i] is FunctionCallContent whole and not StreamedFunctionCallContent &&
                    calls.Values.FirstOrDefault(c => c.Id == whole.CallId) is { Id: not null } streamed)
                {
                    update.Contents[i] = new StreamedFunctionCallContent(
                        whole.CallId, whole.Name, whole.Arguments, streamed.Json.Length > 0 ? streamed.Json.ToString() : "{}")
                    {
                        RawRepresentation = whole.RawRepresentation,
                    };
                }
            }

            if (update.RawRepresentation is StreamingChatCompletionUpdate { ContentTokenLogProbabilities.Count: > 0 } or
                StreamingChatCompletionUpdate { RefusalTokenLogProbabilities.Count: > 0 })
            {
                update.AdditionalProperties = Logprobs.With(update.AdditionalProperties, RawLogprobs.From(update.RawRepresentation));
            }

            yield return update;
        }
    }
}

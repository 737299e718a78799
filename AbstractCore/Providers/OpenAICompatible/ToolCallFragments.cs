using System.Runtime.CompilerServices;
using System.Text;
using AbstractCore.Chat.Streaming;
using Microsoft.Extensions.AI;
using OpenAI.Chat;

namespace AbstractCore.Providers.OpenAICompatible;

/// <summary>
/// The OpenAI SDK's Microsoft.Extensions.AI adapter hands over a streamed tool call only once the stream has ended;
/// the SDK's own updates (each update's raw representation) carry the argument fragments as they came. This passes
/// them on as <see cref="ToolCallFragment"/>s and marks the adapter's whole calls as already streamed.
/// </summary>
internal sealed class ToolCallFragments(IChatClient inner) : DelegatingChatClient(inner)
{
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

            yield return update;
        }
    }
}

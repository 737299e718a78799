using System.Text;
using AbstractCore.Chat;
using AbstractCore.Chat.Streaming;
using AbstractCore.Providers.OpenAICompatible;
using Microsoft.Extensions.AI;
using OpenAI.Chat;
using Sk = Microsoft.SemanticKernel;

namespace AbstractCore.Providers.Azure;

/// <summary>
/// The connector's streamed contents → <see cref="ChatResponseUpdate"/>s as they arrive. Each
/// <see cref="Sk.StreamingFunctionCallUpdateContent"/> carries one argument fragment and the index of its call (the id and
/// name only on a call's first one): it passes on at once as a <see cref="ToolCallFragment"/>, and at the finish reason the
/// whole calls follow (<see cref="StreamedFunctionCallContent"/>), as every translated provider streams them. Usage comes
/// from the connector's metadata on the stream's last chunk (Azure's connector always asks for it).
/// </summary>
internal sealed class AzureStreamTranslator
{
    private readonly SortedDictionary<int, (string Id, string Name, StringBuilder Json)> _calls = [];
    private bool _callsClosed;

    public ChatResponseUpdate Translate(Sk.StreamingChatMessageContent content)
    {
        var metadata = content.Metadata;
        var update = new ChatResponseUpdate
        {
            Role = ChatRole.Assistant,
            ResponseId = AzureAnswers.Meta(metadata, "CompletionId") as string,
            MessageId = AzureAnswers.Meta(metadata, "CompletionId") as string,
            ModelId = (content.InnerContent as StreamingChatCompletionUpdate)?.Model ?? content.ModelId,
            CreatedAt = AzureAnswers.Meta(metadata, "CreatedAt") as DateTimeOffset?,
            RawRepresentation = content.InnerContent,
        };

        foreach (var item in content.Items)
        {
            switch (item)
            {
                case Sk.StreamingTextContent { Text: { Length: > 0 } text }:
                    update.Contents.Add(new Microsoft.Extensions.AI.TextContent(text));
                    break;
                case Sk.StreamingFunctionCallUpdateContent fragment when Fragment(fragment) is { } piece:
                    update.Contents.Add(piece);
                    break;
            }
        }

        if (AzureAnswers.FinishReason(AzureAnswers.Meta(metadata, "FinishReason")) is { } finish)
        {
            update.FinishReason = finish;
            CloseCalls(update.Contents);
        }

        if (AzureAnswers.Usage(AzureAnswers.Meta(metadata, "Usage")) is { } usage)
        {
            update.Contents.Add(new UsageContent(usage));
        }

        if (content.InnerContent is StreamingChatCompletionUpdate { ContentTokenLogProbabilities.Count: > 0 } raw)
        {
            update.AdditionalProperties = Logprobs.With(update.AdditionalProperties, RawLogprobs.From(raw));
        }

        return update;
    }

    /// <summary>The whole calls, for a stream that ended without a finish reason (none when they were already given).</summary>
    public ChatResponseUpdate? Finish()
    {
        var update = new ChatResponseUpdate { Role = ChatRole.Assistant };
        CloseCalls(update.Contents);
        return update.Contents.Count > 0 ? update : null;
    }

    /// <summary>A call's first fragment names it (id and name); later ones find it by index. Empty fragments of a known call
    /// carry nothing.</summary>
    private ToolCallFragment? Fragment(Sk.StreamingFunctionCallUpdateContent fragment)
    {
        var arguments = fragment.Arguments ?? "";
        if (_calls.TryGetValue(fragment.FunctionCallIndex, out var call))
        {
            call.Json.Append(arguments);
            return arguments.Length > 0 ? new ToolCallFragment(call.Id, null, arguments) : null;
        }

        if (string.IsNullOrEmpty(fragment.CallId))
        {
            return null; // a fragment of a call never announced: nothing to attach it to
        }

        _calls[fragment.FunctionCallIndex] = (fragment.CallId, fragment.Name ?? "", new StringBuilder(arguments));
        return new ToolCallFragment(fragment.CallId, fragment.Name ?? "", arguments);
    }

    private void CloseCalls(IList<AIContent> contents)
    {
        if (_callsClosed)
        {
            return;
        }

        _callsClosed = true;
        foreach (var (_, (id, name, json)) in _calls)
        {
            var text = json.Length > 0 ? json.ToString() : "{}";
            contents.Add(new StreamedFunctionCallContent(id, name, AzureAnswers.Arguments(text), text));
        }
    }
}

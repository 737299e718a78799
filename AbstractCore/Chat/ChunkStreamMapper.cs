using System.Text;
using System.Text.Json;
using AbstractCore.Chat.Streaming;
using AbstractCore.OpenAI.Chat;
using Microsoft.Extensions.AI;

namespace AbstractCore.Chat;

/// <summary>
/// Turns a stream of <see cref="ChatResponseUpdate"/>s into OpenAI chunks: the first one carries the role,
/// text, reasoning and tool-call argument fragments pass through as they come (a call that arrives whole goes out whole), each call with its index, and the end
/// is a finish chunk, then (when asked) a usage chunk with empty choices, exactly as OpenAI orders them.
/// </summary>
public sealed class ChunkStreamMapper(string model, bool includeUsage, bool includeLogprobs = false)
{
    private string? _id;
    private long _created;
    private bool _roleSent;
    private int _toolIndex;
    private string? _finishReason;
    private UsageDetails? _usage;
    private Dictionary<string, int>? _fragmentedCalls;
    private StringBuilder? _delivered;
    private UsageDetails? _earlierUsage;

    public string Id => _id ??= ChatCompletionMapper.NewId();

    /// <summary>Whether to keep the text sent so far (<see cref="Delivered"/>), for a stream another upstream may continue.</summary>
    public bool KeepText { get; init; }

    /// <summary>The text sent so far, when <see cref="KeepText"/>.</summary>
    public string Delivered => _delivered?.ToString() ?? "";

    /// <summary>Whether a tool call started: a stream cut inside one cannot be continued as text.</summary>
    public bool StartedToolCalls => _toolIndex > 0;

    /// <summary>Another upstream continues the stream: the usage so far is kept and the next one's added to it.</summary>
    public void Continue()
    {
        _earlierUsage = Sum(_earlierUsage, _usage);
        (_usage, _finishReason) = (null, null);
    }

    /// <summary>The chunk that ends a stream broken after it started (<see cref="StreamFailureChunk"/>).</summary>
    public ChatCompletionChunk Failure(GatewayException failure) => StreamFailureChunk.Create(Id, _created, model, failure);

    private static UsageDetails? Sum(UsageDetails? a, UsageDetails? b)
    {
        if (a is null || b is null)
        {
            return a ?? b;
        }

        var sum = new UsageDetails();
        sum.Add(a);
        sum.Add(b);
        return sum;
    }

    /// <summary>The chunk for one update, or null when it carries nothing a client would see.</summary>
    public ChatCompletionChunk? Map(ChatResponseUpdate update)
    {
        if (_id is null && update.ResponseId is { } upstreamId)
        {
            _id = upstreamId;
        }

        if (_created == 0)
        {
            _created = (update.CreatedAt ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        }

        if (update.FinishReason is { } finish)
        {
            _finishReason = finish.Value;
        }

        StringBuilder? text = null, reasoning = null;
        List<ToolCallDto>? calls = null;
        foreach (var content in update.Contents)
        {
            switch (content)
            {
                case TextContent t when !string.IsNullOrEmpty(t.Text):
                    (text ??= new()).Append(t.Text);
                    if (KeepText)
                    {
                        (_delivered ??= new()).Append(t.Text);
                    }

                    break;
                case TextReasoningContent r when !string.IsNullOrEmpty(r.Text):
                    (reasoning ??= new()).Append(r.Text);
                    break;
                case ToolCallFragment fragment:
                    (calls ??= []).Add(Fragment(fragment));
                    break;
                case StreamedFunctionCallContent:
                    break; // its fragments went out as they came
                case FunctionCallContent call:
                    (calls ??= []).Add(ChatCompletionMapper.ToToolCall(call, _toolIndex++));
                    break;
                case UsageContent usage:
                    _usage = usage.Details;
                    break;
            }
        }

        if (text is null && reasoning is null && calls is null && _roleSent)
        {
            return null;
        }

        var role = _roleSent ? null : "assistant";
        _roleSent = true;
        return Chunk(new ChunkDelta
        {
            Role = role,
            Content = text?.ToString() ?? (role is not null && reasoning is null && calls is null ? "" : null),
            ReasoningContent = reasoning?.ToString(),
            ToolCalls = calls,
        }, null, includeLogprobs && text is not null ? Logprobs.Of(update.AdditionalProperties) : null);
    }

    /// <summary>A call's first fragment names it under the next index; later ones carry that index and their arguments only.</summary>
    private ToolCallDto Fragment(ToolCallFragment fragment)
    {
        if ((_fragmentedCalls ??= new(StringComparer.Ordinal)).TryGetValue(fragment.CallId, out var index))
        {
            return new ToolCallDto { Index = index, Type = null, Function = new FunctionCallDto { Arguments = fragment.Arguments } };
        }

        index = _toolIndex++;
        _fragmentedCalls[fragment.CallId] = index;
        return new ToolCallDto
        {
            Index = index, Id = fragment.CallId, Function = new FunctionCallDto { Name = fragment.Name, Arguments = fragment.Arguments },
        };
    }

    /// <summary>The closing chunks: finish reason, then usage when the client asked for it.</summary>
    public IEnumerable<ChatCompletionChunk> Finish()
    {
        yield return Chunk(new ChunkDelta(), ChatCompletionMapper.FinishReason(
            _finishReason is null ? null : new ChatFinishReason(_finishReason), _toolIndex > 0));
        if (includeUsage)
        {
            yield return new ChatCompletionChunk
            {
                Id = Id,
                Created = _created,
                Model = model,
                Choices = [],
                Usage = ChatCompletionMapper.ToUsage(Sum(_earlierUsage, _usage)) ?? new Usage(),
            };
        }
    }

    private ChatCompletionChunk Chunk(ChunkDelta delta, string? finishReason, JsonElement? logprobs = null) => new()
    {
        Id = Id,
        Created = _created,
        Model = model,
        Choices = [new ChunkChoice { Delta = delta, FinishReason = finishReason, Logprobs = logprobs }],
    };
}

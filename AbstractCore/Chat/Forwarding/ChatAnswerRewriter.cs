using System.Text.Json;
using AbstractCore.Chat.AgentFormats;

namespace AbstractCore.Chat.Forwarding;

/// <summary>
/// One pass over an OpenAI-compatible answer (a whole completion, or one streamed chunk) on its way to the client: the
/// model becomes the name the client asked for, OpenRouter's <c>reasoning</c> becomes <c>reasoning_content</c>,
/// <c>finish_reason: "tool_calls"</c> never comes without calls, and the facts the gateway records are read; all else
/// is copied as it came. Text a model wrote as tool-call markup (when the client offered tools and wants structured
/// calls) goes through a <see cref="TextCallScanner"/> on a stream, and is reported for a whole completion.
/// </summary>
public sealed class ChatAnswerRewriter(string clientModel, bool scanToolText)
{
    private static readonly byte[] ModelName = ",\"model\":"u8.ToArray();
    private static readonly byte[] ReasoningContentName = "\"reasoning_content\""u8.ToArray();

    private readonly byte[] _model = UpstreamChatBody.QuotedName(clientModel);

    /// <summary>The model as the client named it (<c>provider/model</c>).</summary>
    public string ClientModel => clientModel;

    public ChatAnswerFacts Facts { get; } = new();

    /// <summary>Streams only: the scanner holding back possible tool-call markup, when tools were offered.</summary>
    public TextCallScanner? Scanner { get; } = scanToolText ? new TextCallScanner() : null;

    /// <summary>Streams only: what the scanner held when the finish arrived, to send just before that chunk (then cleared by the caller).</summary>
    public (string Text, List<(string Name, string Arguments)> Calls)? PendingTail { get; set; }

    /// <summary>A whole completion whose text holds tool-call markup and no structured call (scanning only).</summary>
    public bool TextCallsFound { get; private set; }

    /// <summary>Rewrites one completion or chunk. <paramref name="kind"/> tells a usage-only chunk and an error apart.</summary>
    public JsonSplices Rewrite(ReadOnlySpan<byte> json, bool chunk, out AnswerKind kind)
    {
        var splices = new JsonSplices();
        kind = AnswerKind.Answer;
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("An answer must be a JSON object.");
        }

        bool sawModel = false, emptyChoices = false, sawUsage = false;
        var headOnly = chunk && Scanner is null && ChunkScreen.OnlyHeadMatters(json);
        var closing = json.Length - 1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("model"u8))
            {
                reader.Read();
                sawModel = true;
                Facts.Model ??= reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                splices.Replace(start, (int)reader.BytesConsumed - start, _model);
                if (headOnly && Facts.Id is not null && Facts.Created != 0)
                {
                    return splices; // nothing past the model can need an edit or hold a fact
                }
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                Facts.Id ??= reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("created"u8))
            {
                reader.Read();
                if (Facts.Created == 0 && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var created))
                {
                    Facts.Created = created;
                }

                reader.Skip();
            }
            else if (reader.ValueTextEquals("choices"u8))
            {
                reader.Read();
                emptyChoices = ReadChoices(ref reader, ref splices, chunk);
            }
            else if (reader.ValueTextEquals("usage"u8))
            {
                reader.Read();
                sawUsage = reader.TokenType == JsonTokenType.StartObject;
                ReadUsage(ref reader);
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                kind = AnswerKind.Error;
                reader.Read();
                reader.Skip();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (reader.TokenType == JsonTokenType.EndObject)
        {
            closing = (int)reader.TokenStartIndex;
        }

        if (!sawModel && kind == AnswerKind.Answer)
        {
            splices.Insert(closing, ModelName);
            splices.Insert(closing, _model);
        }

        if (chunk && kind == AnswerKind.Answer && emptyChoices && sawUsage)
        {
            kind = AnswerKind.UsageOnly;
        }

        return splices;
    }

    /// <summary>Reads the choices; true when the array is empty (a usage-only chunk).</summary>
    private bool ReadChoices(ref Utf8JsonReader reader, ref JsonSplices splices, bool chunk)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return false;
        }

        var empty = true;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            empty = false;
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            (int Start, int Length, string? Value)? finish = null;
            var calls = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals(chunk ? "delta"u8 : "message"u8))
                {
                    reader.Read();
                    calls |= ReadMessage(ref reader, ref splices, chunk);
                }
                else if (reader.ValueTextEquals("finish_reason"u8))
                {
                    reader.Read();
                    var start = (int)reader.TokenStartIndex;
                    var value = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    reader.Skip();
                    finish = (start, (int)reader.BytesConsumed - start, value);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            Facts.SawToolCalls |= calls;
            if (finish is { } f)
            {
                FixFinishReason(ref splices, f, chunk);
            }
        }

        return empty;
    }

    /// <summary>"tool_calls" only with calls; a whole completion also gets a reason when the upstream gave none.</summary>
    private void FixFinishReason(ref JsonSplices splices, (int Start, int Length, string? Value) finish, bool chunk)
    {
        var value = finish.Value;
        if (value is null && chunk)
        {
            return;
        }

        if (chunk && Scanner?.Finish() is { } tail)
        {
            // Text held back as possible markup leaves before the finish, as calls when it held some.
            PendingTail = tail;
            Facts.SawToolCalls |= tail.Calls.Count > 0;
        }

        var fixedValue = value switch
        {
            null => Facts.SawToolCalls ? "tool_calls" : "stop",
            "tool_calls" when !Facts.SawToolCalls => "stop",
            _ => value,
        };
        if (chunk && PendingTail is { Calls.Count: > 0 })
        {
            fixedValue = "tool_calls";
        }

        Facts.FinishReason = fixedValue;
        if (!string.Equals(fixedValue, value, StringComparison.Ordinal))
        {
            splices.Replace(finish.Start, finish.Length, UpstreamChatBody.QuotedName(fixedValue));
        }
    }

    /// <summary>Reads a message or delta; true when it holds tool calls.</summary>
    private bool ReadMessage(ref Utf8JsonReader reader, ref JsonSplices splices, bool chunk)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return false;
        }

        (int Start, int Length)? reasoningName = null;
        var sawReasoningContent = false;
        var calls = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("reasoning"u8))
            {
                reasoningName = ((int)reader.TokenStartIndex, reader.ValueSpan.Length + 2); // the name with its quotes
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    reasoningName = null; // an object (some servers' reasoning details) is not text
                }

                reader.Skip();
            }
            else if (reader.ValueTextEquals("reasoning_content"u8))
            {
                sawReasoningContent = true;
                reader.Read();
                reader.Skip();
            }
            else if (reader.ValueTextEquals("tool_calls"u8))
            {
                reader.Read();
                var peek = reader;
                calls = reader.TokenType == JsonTokenType.StartArray && peek.Read() && peek.TokenType != JsonTokenType.EndArray;
                reader.Skip();
            }
            else if (scanToolText && reader.ValueTextEquals("content"u8))
            {
                reader.Read();
                ScanContent(ref reader, ref splices, chunk);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (reasoningName is { } name && !sawReasoningContent)
        {
            splices.Replace(name.Start, name.Length, ReasoningContentName);
        }

        return calls;
    }

    private void ScanContent(ref Utf8JsonReader reader, ref JsonSplices splices, bool chunk)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            return;
        }

        var text = reader.GetString()!;
        if (!chunk)
        {
            TextCallsFound |= ToolCallText.ContainsCall(text);
            return;
        }

        var passed = Scanner!.Push(text);
        if (passed.Length != text.Length)
        {
            var start = (int)reader.TokenStartIndex;
            splices.Replace(start, (int)reader.BytesConsumed - start, UpstreamChatBody.Quoted(passed));
        }
    }

    private void ReadUsage(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        using var usage = JsonDocument.ParseValue(ref reader);
        var root = usage.RootElement;
        Facts.InputTokens = Long(root, "prompt_tokens") ?? Facts.InputTokens;
        Facts.OutputTokens = Long(root, "completion_tokens") ?? Facts.OutputTokens;
        if (root.TryGetProperty("prompt_tokens_details", out var details) && details.ValueKind == JsonValueKind.Object)
        {
            Facts.CachedInputTokens = Long(details, "cached_tokens") ?? Facts.CachedInputTokens;
        }
    }

    private static long? Long(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : null;
}

public enum AnswerKind
{
    Answer,
    UsageOnly,
    Error,
}

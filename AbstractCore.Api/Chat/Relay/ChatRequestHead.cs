using System.Text.Json;
using AbstractCore.Attachments;
using AbstractCore.Chat.AgentFormats;
using AbstractCore.OpenAI.Chat;
using AbstractCore.OpenAI.Json;

namespace AbstractCore.Api.Chat.Relay;

/// <summary>
/// One pass over a chat body that may be relayed as bytes: the top-level fields the gateway acts on are read into a
/// request without messages, and the messages are checked to be ones an OpenAI-compatible upstream can receive as they
/// are. Anything else — a value of the wrong type, <c>api_key</c>, content parts, reasoning sent back, tool-call markup
/// beside calls, a local file reference — gives null: the full binder then answers with the same 400, or the
/// translating path gets the request, as it would without this scan. No message, tool or value is copied.
/// </summary>
internal static class ChatRequestHead
{
    /// <param name="toolsOffered">True when <c>tools</c> is a non-empty array (the request keeps no copy of it).</param>
    public static ChatCompletionRequest? TryRead(ReadOnlySpan<byte> body, MessageAttachments attachments, out bool toolsOffered)
    {
        toolsOffered = false;
        var reader = new Utf8JsonReader(body);
        try
        {
            return Read(ref reader, body, attachments, ref toolsOffered);
        }
        catch (JsonException)
        {
            return null; // a number out of range, a string that is not one: the binder names the field
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static ChatCompletionRequest? Read(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, MessageAttachments attachments, ref bool toolsOffered)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        var request = new ChatCompletionRequest();
        var sawMessages = false;
        while (NextProperty(ref reader, out var name))
        {
            var ok = name switch
            {
                _ when name.SequenceEqual("model"u8) => AsString(ref reader, out var model) && Set(request.Model = model),
                _ when name.SequenceEqual("messages"u8) => sawMessages = Messages(ref reader, body, attachments),
                _ when name.SequenceEqual("stream"u8) => AsBool(ref reader, out var stream) && Set(request.Stream = stream),
                _ when name.SequenceEqual("stream_options"u8) => StreamOptions(ref reader, request),
                _ when name.SequenceEqual("tools"u8) => Tools(ref reader, out toolsOffered),
                _ when name.SequenceEqual("parallel_tool_calls"u8) => AsBool(ref reader, out var parallel) && Set(request.ParallelToolCalls = parallel),
                _ when name.SequenceEqual("temperature"u8) => AsNumber(ref reader, ReadDouble, out var temperature) && Set(request.Temperature = temperature),
                _ when name.SequenceEqual("top_p"u8) => AsNumber(ref reader, ReadDouble, out var topP) && Set(request.TopP = topP),
                _ when name.SequenceEqual("max_tokens"u8) => AsNumber(ref reader, ReadInt, out var max) && Set(request.MaxTokens = max),
                _ when name.SequenceEqual("max_completion_tokens"u8) => AsNumber(ref reader, ReadInt, out var maxCompletion) && Set(request.MaxCompletionTokens = maxCompletion),
                _ when name.SequenceEqual("seed"u8) => AsNumber(ref reader, ReadLong, out var seed) && Set(request.Seed = seed),
                _ when name.SequenceEqual("presence_penalty"u8) => AsNumber(ref reader, ReadDouble, out var presence) && Set(request.PresencePenalty = presence),
                _ when name.SequenceEqual("frequency_penalty"u8) => AsNumber(ref reader, ReadDouble, out var frequency) && Set(request.FrequencyPenalty = frequency),
                _ when name.SequenceEqual("user"u8) => AsString(ref reader, out var user) && Set(request.User = user),
                _ when name.SequenceEqual("logprobs"u8) => AsBool(ref reader, out var logprobs) && Set(request.Logprobs = logprobs),
                _ when name.SequenceEqual("top_logprobs"u8) => AsNumber(ref reader, ReadInt, out var top) && Set(request.TopLogprobs = top),
                _ when name.SequenceEqual("reasoning_effort"u8) => AsString(ref reader, out var effort) && Set(request.ReasoningEffort = effort),
                _ when name.SequenceEqual("thinking"u8) => Set(request.Thinking = reader.TokenType == JsonTokenType.Null ? null : JsonElement.ParseValue(ref reader)),
                _ when name.SequenceEqual("agent_format"u8) => AsString(ref reader, out var format) && Set(request.AgentFormat = format),
                _ when name.SequenceEqual("unload_after"u8) => AsLaxBool(ref reader, out var unload) && Set(request.UnloadAfter = unload),
                _ when name.SequenceEqual("base_url"u8) => AsString(ref reader, out var baseUrl) && Set(request.BaseUrl = baseUrl),
                _ when name.SequenceEqual("timeout_s"u8) => Extra(ref reader, request, "timeout_s"),
                _ when name.StartsWith("prompt_cache_"u8) => PromptCache(ref reader, name, request),
                _ when name.SequenceEqual("response_format"u8) => Set(request.ResponseFormat = JsonElement.ParseValue(ref reader)), // checked, then sent as written
                _ when name.SequenceEqual("api_key"u8) => false, // refused with its own 400 by the binder's path
                _ => Skip(ref reader), // tool_choice, stop and the rest travel as the client wrote them
            };

            if (!ok)
            {
                return null;
            }
        }

        return sawMessages ? request : null;
    }

    /// <summary>A non-empty array of messages an upstream takes as they are (see <see cref="Message"/>).</summary>
    private static bool Messages(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, MessageAttachments attachments)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }

        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (!Message(ref reader, body, attachments))
            {
                return false;
            }

            count++;
        }

        return count > 0;
    }

    /// <summary>
    /// A known role; content text or null; no reasoning sent back; a tool answer names its call; every call has an id
    /// and a function name, and no markup beside them; no file reference to resolve in a user, system or developer turn.
    /// </summary>
    private static bool Message(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, MessageAttachments attachments)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        string? role = null;
        var (contentAt, calls, toolCallId) = (-1, 0, false);
        while (NextProperty(ref reader, out var name))
        {
            var ok = name switch
            {
                _ when name.SequenceEqual("role"u8) => AsString(ref reader, out role),
                _ when name.SequenceEqual("content"u8) => reader.TokenType == JsonTokenType.Null ||
                                                          (reader.TokenType == JsonTokenType.String && Set(contentAt = (int)reader.TokenStartIndex)),
                _ when name.SequenceEqual("name"u8) => AsString(ref reader, out _),
                _ when name.SequenceEqual("tool_call_id"u8) => AsNonEmpty(ref reader, out toolCallId),
                _ when name.SequenceEqual("reasoning_content"u8) => reader.TokenType == JsonTokenType.Null,
                _ when name.SequenceEqual("tool_calls"u8) => ToolCalls(ref reader, out calls),
                _ => Skip(ref reader),
            };

            if (!ok)
            {
                return false;
            }
        }

        if (role is not ("system" or "developer" or "user" or "assistant" or "tool") || (role == "tool" && !toolCallId))
        {
            return false;
        }

        var checkFiles = attachments.ResolvesText && role is "user" or "system" or "developer";
        if (contentAt < 0 || (calls == 0 && !checkFiles))
        {
            return true;
        }

        var text = StringAt(body, contentAt);
        return !(calls > 0 && ToolCallText.ContainsCall(text)) && !(checkFiles && attachments.TextNeedsWork(text));
    }

    /// <summary>Null, or an array of calls each with an id and a function name (the binder's types: strings, an int index).</summary>
    private static bool ToolCalls(ref Utf8JsonReader reader, out int count)
    {
        count = 0;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            bool hasId = false, hasName = false;
            while (NextProperty(ref reader, out var name))
            {
                var ok = name switch
                {
                    _ when name.SequenceEqual("id"u8) => AsNonEmpty(ref reader, out hasId),
                    _ when name.SequenceEqual("type"u8) => AsString(ref reader, out _),
                    _ when name.SequenceEqual("index"u8) => AsNumber(ref reader, ReadInt, out _),
                    _ when name.SequenceEqual("function"u8) => Function(ref reader, out hasName),
                    _ => Skip(ref reader),
                };

                if (!ok)
                {
                    return false;
                }
            }

            if (!hasId || !hasName)
            {
                return false;
            }

            count++;
        }

        return true;
    }

    private static bool Function(ref Utf8JsonReader reader, out bool hasName)
    {
        hasName = false;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false; // a call without a function object is the translating path's to refuse
        }

        while (NextProperty(ref reader, out var name))
        {
            var ok = name switch
            {
                _ when name.SequenceEqual("arguments"u8) => AsString(ref reader, out _),
                _ when name.SequenceEqual("name"u8) => AsNonEmpty(ref reader, out hasName),
                _ => Skip(ref reader),
            };

            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static bool StreamOptions(ref Utf8JsonReader reader, ChatCompletionRequest request)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        request.StreamOptions = new StreamOptions();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var usage = reader.ValueTextEquals("include_usage"u8);
            reader.Read();
            if (!(usage ? AsBool(ref reader, out var include) && Set(request.StreamOptions.IncludeUsage = include) : Skip(ref reader)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Tools(ref Utf8JsonReader reader, out bool offered)
    {
        offered = false;
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return Skip(ref reader); // any JSON binds; only a non-empty array offers tools
        }

        reader.Read();
        offered = reader.TokenType != JsonTokenType.EndArray;
        while (reader.TokenType != JsonTokenType.EndArray)
        {
            reader.Skip();
            reader.Read();
        }

        return true;
    }

    /// <summary>
    /// <c>prompt_cache_binding</c> and <c>prompt_cache_key</c>, for the plan to check (a binding also rewrites the key);
    /// read only when the body has them. <c>prompt_cache_retention</c> and the rest travel as the client wrote them.
    /// </summary>
    private static bool PromptCache(ref Utf8JsonReader reader, scoped ReadOnlySpan<byte> name, ChatCompletionRequest request) =>
        name.SequenceEqual("prompt_cache_binding"u8) ? Extra(ref reader, request, "prompt_cache_binding")
        : name.SequenceEqual("prompt_cache_key"u8) ? Extra(ref reader, request, "prompt_cache_key")
        : Skip(ref reader);

    /// <summary>A field the gateway reads from <see cref="ChatCompletionRequest.Extra"/>, as the binder would put it there.</summary>
    private static bool Extra(ref Utf8JsonReader reader, ChatCompletionRequest request, string name)
    {
        (request.Extra ??= new(StringComparer.Ordinal))[name] = JsonElement.ParseValue(ref reader);
        return true;
    }

    /// <summary>A boolean, or one of the strings the binder coerces (<see cref="LaxBoolConverter"/>).</summary>
    private static bool AsLaxBool(ref Utf8JsonReader reader, out bool? value)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            value = LaxBoolConverter.Parse(reader.GetString());
            return value is not null;
        }

        return AsBool(ref reader, out value);
    }

    private static bool AsString(ref Utf8JsonReader reader, out string? value)
    {
        value = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        return reader.TokenType is JsonTokenType.String or JsonTokenType.Null;
    }

    private static bool AsBool(ref Utf8JsonReader reader, out bool? value)
    {
        value = reader.TokenType switch { JsonTokenType.True => true, JsonTokenType.False => false, _ => null };
        return reader.TokenType is JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null;
    }

    /// <summary>A string that is present and not empty; null or "" read as absent.</summary>
    private static bool AsNonEmpty(ref Utf8JsonReader reader, out bool present)
    {
        var ok = AsString(ref reader, out var value);
        present = !string.IsNullOrEmpty(value);
        return ok;
    }

    /// <summary>One of the reader's <c>TryGet…</c> methods; the instances are static lambdas, so nothing is allocated per call.</summary>
    private delegate bool NumberReader<T>(ref Utf8JsonReader reader, out T value);

    private static readonly NumberReader<double> ReadDouble = static (ref Utf8JsonReader r, out double value) => r.TryGetDouble(out value);
    private static readonly NumberReader<int> ReadInt = static (ref Utf8JsonReader r, out int value) => r.TryGetInt32(out value);
    private static readonly NumberReader<long> ReadLong = static (ref Utf8JsonReader r, out long value) => r.TryGetInt64(out value);

    /// <summary>Null, or a number that <paramref name="read"/> takes (in range, and whole for the integer readers).</summary>
    private static bool AsNumber<T>(ref Utf8JsonReader reader, NumberReader<T> read, out T? value)
        where T : struct
    {
        value = null;
        if (reader.TokenType == JsonTokenType.Number && read(ref reader, out var number))
        {
            value = number;
        }

        return value is not null || reader.TokenType == JsonTokenType.Null;
    }

    /// <summary>Steps onto the next property's value; false at the end of the object.</summary>
    private static bool NextProperty(ref Utf8JsonReader reader, out ReadOnlySpan<byte> name)
    {
        name = default;
        if (!reader.Read() || reader.TokenType != JsonTokenType.PropertyName)
        {
            return false;
        }

        name = reader.ValueSpan;
        reader.Read();
        return true;
    }

    private static bool Skip(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return true;
    }

    /// <summary>An assignment as a step of the scan's conditions.</summary>
    private static bool Set<T>(T _) => true;

    private static string StringAt(ReadOnlySpan<byte> body, int at)
    {
        var reader = new Utf8JsonReader(body[at..]);
        reader.Read();
        return reader.GetString()!;
    }
}

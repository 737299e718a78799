using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace AbstractCore.Api.Requests;

/// <summary>
/// One pass over a JSON body before anything binds to it. System.Text.Json parses what the gateway cannot use: a
/// duplicate key (the last one silently wins), invalid UTF-8 or a lone surrogate escape (<c>"\ud800"</c>) in a key or a
/// string, a number beyond a double's range. Those only fail later, when the value is read or written upstream, as a
/// 500, or a 502 blaming a provider that was never called. Here each is a 400 naming the field.
/// </summary>
internal static class JsonBodyCheck
{
    public static void Validate(ReadOnlySpan<byte> json)
    {
        if (json.Trim(" \t\r\n"u8).IsEmpty)
        {
            throw GatewayException.BadRequest("The request body is empty: send a JSON object.");
        }

        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = JsonBody.MaxDepth });
        var path = new PathTracker();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        if (reader.CurrentDepth == 0 && reader.TokenType != JsonTokenType.StartObject)
                        {
                            throw JsonBody.NotAnObject();
                        }

                        path.Enter(reader.TokenType == JsonTokenType.StartObject);
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        path.Leave();
                        break;
                    case JsonTokenType.PropertyName:
                        path.Property(Text(ref reader, path, isKey: true));
                        break;
                    case JsonTokenType.String when reader.CurrentDepth == 0:
                        throw JsonBody.NotAnObject();
                    case JsonTokenType.String:
                        path.Value();
                        _ = Text(ref reader, path, isKey: false);
                        break;
                    default:
                        if (reader.CurrentDepth == 0)
                        {
                            throw JsonBody.NotAnObject();
                        }

                        path.Value();
                        if (reader.TokenType == JsonTokenType.Number && !(reader.TryGetDouble(out var number) && double.IsFinite(number)))
                        {
                            // 1e999999 parses as infinity, which no binder refuses and no JSON writer can send on.
                            throw GatewayException.BadRequest($"'{path.Current}' is a number out of range.", path.Current, "invalid_number");
                        }

                        break;
                }
            }
        }
        catch (JsonException e)
        {
            var param = path.Current;
            throw e.Message.Contains("maximum configured depth", StringComparison.Ordinal)
                ? GatewayException.BadRequest($"The request body is nested deeper than {JsonBody.MaxDepth} levels.", param)
                : GatewayException.BadRequest(
                    $"The request body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).", param);
        }
    }

    /// <summary>A key (returned, to find duplicates) or a string value (only checked): valid UTF-8, and escapes that
    /// decode to whole characters.</summary>
    private static string? Text(ref Utf8JsonReader reader, PathTracker path, bool isKey)
    {
        if (!reader.ValueIsEscaped && Utf8.IsValid(reader.ValueSpan))
        {
            return isKey ? Encoding.UTF8.GetString(reader.ValueSpan) : null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(reader.ValueSpan.Length, 1));
        try
        {
            var length = reader.CopyString(buffer); // unescapes; throws on a lone surrogate or invalid UTF-8
            if (!Utf8.IsValid(buffer.AsSpan(0, length)))
            {
                throw new InvalidOperationException();
            }

            return isKey ? Encoding.UTF8.GetString(buffer, 0, length) : null;
        }
        catch (InvalidOperationException)
        {
            if (!isKey)
            {
                throw GatewayException.BadRequest(
                    $"'{path.Current}' is not valid text: it holds invalid UTF-8 or an unpaired surrogate escape (\\ud800-\\udfff).",
                    path.Current, "invalid_text");
            }

            // The key cannot be told back as it is; its bytes decoded with replacement characters still point at it.
            var key = path.Child(Encoding.UTF8.GetString(reader.ValueSpan));
            throw GatewayException.BadRequest(
                $"The key '{key}' is not valid text: it holds invalid UTF-8 or an unpaired surrogate escape (\\ud800-\\udfff).",
                key, "invalid_text");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Where the reader is, as the <c>param</c> of an error (<c>messages[0].content</c>), and the keys seen in
    /// each open object.</summary>
    private sealed class PathTracker
    {
        private readonly List<Frame> _frames = [];

        public string? Current => Format(_frames.Count);

        /// <summary>The object a key being read belongs to.</summary>
        public string? Parent => Format(_frames.Count - 1);

        public void Enter(bool isObject)
        {
            Value();
            _frames.Add(new Frame(isObject));
        }

        public void Leave() => _frames.RemoveAt(_frames.Count - 1);

        /// <summary>A value starts: in an array it is the next element.</summary>
        public void Value()
        {
            if (_frames.Count > 0 && !_frames[^1].IsObject)
            {
                _frames[^1].Index++;
            }
        }

        public void Property(string? name)
        {
            var frame = _frames[^1];
            frame.Key = name!;
            if (!(frame.Keys ??= new HashSet<string>(StringComparer.Ordinal)).Add(name!))
            {
                throw GatewayException.BadRequest(
                    $"Duplicate key '{Current}': each key may appear once in an object.", Current, "duplicate_key");
            }
        }

        /// <summary>The path of a key of the innermost object.</summary>
        public string Child(string key) => Parent is { } parent ? parent + "." + key : key;

        private string? Format(int depth)
        {
            var text = new StringBuilder();
            for (var i = 0; i < depth; i++)
            {
                var frame = _frames[i];
                if (frame.IsObject && frame.Key is not null)
                {
                    text.Append(text.Length == 0 ? "" : ".").Append(frame.Key);
                }
                else if (!frame.IsObject && frame.Index >= 0)
                {
                    text.Append('[').Append(frame.Index).Append(']');
                }
            }

            return text.Length == 0 ? null : text.ToString();
        }

        private sealed class Frame(bool isObject)
        {
            public bool IsObject { get; } = isObject;
            public string? Key { get; set; }
            public int Index { get; set; } = -1;
            public HashSet<string>? Keys { get; set; }
        }
    }
}

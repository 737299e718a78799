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
        using var path = new PathTracker();
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
                        Text(ref reader, path, isKey: true);
                        break;
                    case JsonTokenType.String when reader.CurrentDepth == 0:
                        throw JsonBody.NotAnObject();
                    case JsonTokenType.String:
                        path.Value();
                        Text(ref reader, path, isKey: false);
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

    /// <summary>A key (handed to the path, unescaped) or a string value (only checked): valid UTF-8, and escapes that
    /// decode to whole characters.</summary>
    private static void Text(ref Utf8JsonReader reader, PathTracker path, bool isKey)
    {
        if (!reader.ValueIsEscaped && Utf8.IsValid(reader.ValueSpan))
        {
            if (isKey)
            {
                path.Property(reader.ValueSpan);
            }

            return;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(reader.ValueSpan.Length, 1));
        try
        {
            var length = reader.CopyString(buffer); // unescapes; throws on a lone surrogate or invalid UTF-8
            if (!Utf8.IsValid(buffer.AsSpan(0, length)))
            {
                throw new InvalidOperationException();
            }

            if (isKey)
            {
                path.Property(buffer.AsSpan(0, length));
            }
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

    /// <summary>
    /// Where the reader is, as the <c>param</c> of an error (<c>messages[0].content</c>), and the keys seen in each open
    /// object, kept as unescaped bytes on one stack (an object's keys sit above its parent's), so a body is checked for
    /// duplicates without a string or a set per key; a path is only spelled out for an error.
    /// </summary>
    private sealed class PathTracker : IDisposable
    {
        /// <summary>Beyond this many keys an object's duplicates are found with a set rather than by comparing each pair.</summary>
        private const int ComparedKeys = 16;

        private Frame[] _frames = new Frame[8];
        private int _depth;
        private byte[] _keyBytes = ArrayPool<byte>.Shared.Rent(256);
        private int _keyBytesUsed;
        private readonly List<(int Start, int Length)> _keys = [];

        public string? Current => Format(_depth);

        /// <summary>The object a key being read belongs to.</summary>
        public string? Parent => Format(_depth - 1);

        public void Enter(bool isObject)
        {
            Value();
            if (_depth == _frames.Length)
            {
                Array.Resize(ref _frames, _depth * 2);
            }

            _frames[_depth++] = new Frame { IsObject = isObject, Index = -1, Key = -1, FirstKey = _keys.Count, KeyBytesAt = _keyBytesUsed };
        }

        public void Leave()
        {
            ref var frame = ref _frames[--_depth];
            _keys.RemoveRange(frame.FirstKey, _keys.Count - frame.FirstKey);
            _keyBytesUsed = frame.KeyBytesAt;
            frame = default; // drops its set, if it had one
        }

        /// <summary>A value starts: in an array it is the next element.</summary>
        public void Value()
        {
            if (_depth > 0 && !_frames[_depth - 1].IsObject)
            {
                _frames[_depth - 1].Index++;
            }
        }

        public void Property(ReadOnlySpan<byte> name)
        {
            ref var frame = ref _frames[_depth - 1];
            frame.Key = _keys.Count;
            if (IsDuplicate(ref frame, name))
            {
                frame.Key = Find(frame, name);
                throw GatewayException.BadRequest(
                    $"Duplicate key '{Current}': each key may appear once in an object.", Current, "duplicate_key");
            }

            if (_keyBytesUsed + name.Length > _keyBytes.Length)
            {
                var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_keyBytes.Length * 2, _keyBytesUsed + name.Length));
                _keyBytes.AsSpan(0, _keyBytesUsed).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(_keyBytes);
                _keyBytes = bigger;
            }

            name.CopyTo(_keyBytes.AsSpan(_keyBytesUsed));
            _keys.Add((_keyBytesUsed, name.Length));
            _keyBytesUsed += name.Length;
        }

        /// <summary>The path of a key of the innermost object.</summary>
        public string Child(string key) => Parent is { } parent ? parent + "." + key : key;

        public void Dispose() => ArrayPool<byte>.Shared.Return(_keyBytes);

        private bool IsDuplicate(ref Frame frame, ReadOnlySpan<byte> name)
        {
            var count = _keys.Count - frame.FirstKey;
            if (count < ComparedKeys)
            {
                return Find(frame, name) >= 0;
            }

            if (frame.Set is null)
            {
                frame.Set = new HashSet<string>(StringComparer.Ordinal);
                for (var i = frame.FirstKey; i < _keys.Count; i++)
                {
                    frame.Set.Add(KeyText(i));
                }
            }

            return !frame.Set.Add(Encoding.UTF8.GetString(name));
        }

        /// <summary>The index of the frame's key spelled <paramref name="name"/>, or -1.</summary>
        private int Find(in Frame frame, ReadOnlySpan<byte> name)
        {
            for (var i = frame.FirstKey; i < _keys.Count; i++)
            {
                if (KeyBytes(i).SequenceEqual(name))
                {
                    return i;
                }
            }

            return -1;
        }

        private ReadOnlySpan<byte> KeyBytes(int key) => _keyBytes.AsSpan(_keys[key].Start, _keys[key].Length);

        private string KeyText(int key) => Encoding.UTF8.GetString(KeyBytes(key));

        private string? Format(int depth)
        {
            var text = new StringBuilder();
            for (var i = 0; i < depth; i++)
            {
                var frame = _frames[i];
                if (frame.IsObject && frame.Key >= 0)
                {
                    text.Append(text.Length == 0 ? "" : ".").Append(KeyText(frame.Key));
                }
                else if (!frame.IsObject && frame.Index >= 0)
                {
                    text.Append('[').Append(frame.Index).Append(']');
                }
            }

            return text.Length == 0 ? null : text.ToString();
        }

        private struct Frame
        {
            public bool IsObject;
            public int Index;

            /// <summary>The current key (an index into the key stack), -1 before the first.</summary>
            public int Key;

            /// <summary>Where this object's keys start on the key stack, and its bytes.</summary>
            public int FirstKey;
            public int KeyBytesAt;

            /// <summary>The object's keys as a set, once it has more than <see cref="ComparedKeys"/>.</summary>
            public HashSet<string>? Set;
        }
    }
}

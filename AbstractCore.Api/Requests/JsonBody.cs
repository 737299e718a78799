using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace AbstractCore.Api.Requests;

/// <summary>
/// A JSON request body, read once into one buffer and checked (<see cref="JsonBodyCheck"/>) before it binds.
/// Every JSON route reads its body through here, so a malformed body is the same 400 naming the field on all of them.
/// </summary>
internal sealed class JsonBody : IDisposable
{
    /// <summary>System.Text.Json's default depth, stated so the check and the binders agree.</summary>
    public const int MaxDepth = 64;

    private const int InitialBytes = 64 * 1024;
    private const int PooledBytes = 1024 * 1024;

    private byte[]? _buffer;
    private readonly int _length;
    private readonly bool _pooled;

    private JsonBody(byte[] buffer, int length, bool pooled) => (_buffer, _length, _pooled) = (buffer, length, pooled);

    public ReadOnlySpan<byte> Utf8 => _buffer.AsSpan(0, _length);

    /// <summary>Reads and checks the whole body.</summary>
    public static async Task<JsonBody> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await ReadBytesAsync(request, cancellationToken);
        try
        {
            JsonBodyCheck.Validate(body.Utf8);
            return body;
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }

    /// <summary>The body bound to <typeparamref name="T"/>: a wrong type is a 400 naming the field.</summary>
    public static async Task<T> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class
    {
        using var body = await ReadAsync(request, cancellationToken);
        return body.Bind(type);
    }

    /// <summary>The body as a JSON object.</summary>
    public static async Task<JsonObject> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var body = await ReadAsync(request, cancellationToken);
        return JsonNode.Parse(body.Utf8) as JsonObject ?? throw NotAnObject();
    }

    /// <summary>A media body: a JSON object without <c>api_key</c>.</summary>
    public static async Task<JsonObject> ReadMediaObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await ReadObjectAsync(request, cancellationToken);
        AbstractCore.Media.BodyRules.RejectApiKey(body.ContainsKey("api_key"));
        return body;
    }

    public T Bind<T>(JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(Utf8, type) ?? throw NotAnObject();
        }
        catch (JsonException e)
        {
            throw WrongType(e);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            Return(buffer, _pooled);
        }
    }

    internal static GatewayException NotAnObject() => GatewayException.BadRequest("The request body must be a JSON object.");

    /// <summary>The body is well-formed (checked), so what the binder refuses is a value of the wrong type.</summary>
    private static GatewayException WrongType(JsonException e)
    {
        var param = e.Path is null or "$" ? null : e.Path.TrimStart('$', '.');
        return param is null ? NotAnObject() : GatewayException.BadRequest($"'{param}' has the wrong type.", param);
    }

    /// <summary>
    /// The whole body in one buffer that grows as bytes arrive, never past a declared Content-Length: a client that
    /// declares 64 MB and sends nothing holds 64 KB, not 64 MB. Small bodies use pooled buffers; past
    /// <see cref="PooledBytes"/> the buffer is a plain array of the declared size, because the shared pool keeps the
    /// large arrays it hands out (per thread) long after the request: a few 60 MB bodies left the process holding a
    /// gigabyte. The server's body size limit applies while reading.
    /// </summary>
    private static async Task<JsonBody> ReadBytesAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var declared = request.ContentLength is > 0 and < int.MaxValue - 1 ? (int)request.ContentLength + 1 : int.MaxValue;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(declared, InitialBytes));
        var pooled = true;
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var size = (int)Math.Min(Math.Max(declared, length + 1), 2L * length);
                    var bigger = size <= PooledBytes ? ArrayPool<byte>.Shared.Rent(size)
                        : GC.AllocateUninitializedArray<byte>(declared == int.MaxValue ? size : declared);
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    Return(buffer, pooled);
                    (buffer, pooled) = (bigger, size <= PooledBytes);
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0)
                {
                    return new JsonBody(buffer, length, pooled);
                }

                length += read;
            }
        }
        catch
        {
            Return(buffer, pooled);
            throw;
        }
    }

    private static void Return(byte[] buffer, bool pooled)
    {
        if (pooled)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

namespace AbstractCore.Api.Hosting;

/// <summary>
/// A JSON request body read whole into one array of its declared size, for a synchronous parse. Streaming the parse
/// (<c>JsonSerializer.DeserializeAsync</c>) looks cheaper but is not for large bodies: a value must fit whole in its
/// read buffer, so a 60 MB message grew that buffer by doubling through every size to 64 MB, each rented from the shared
/// array pool, which then kept them (per thread) long after the request: a few large chat bodies left the process
/// holding over a gigabyte. One exact array becomes garbage with the request.
/// </summary>
public static class RequestBody
{
    /// <summary>The body's bytes. With a Content-Length (within Kestrel's limit, which still applies) one array of that
    /// size; otherwise (chunked) a buffer grown as it arrives.</summary>
    public static async Task<ArraySegment<byte>> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength is { } length && length <= Security.MediaLimits.MaxRequestBodyBytes)
        {
            var bytes = GC.AllocateUninitializedArray<byte>((int)length);
            var read = await request.Body.ReadAtLeastAsync(bytes, bytes.Length, throwOnEndOfStream: false, cancellationToken);
            return new ArraySegment<byte>(bytes, 0, read);
        }

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        return new ArraySegment<byte>(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}

using System.IO.Compression;
using System.Net;

namespace AbstractCore.Providers;

/// <summary>
/// An answer an upstream encoded although it was not asked to (<see cref="UpstreamHttp.RelayFor"/> clients send no
/// <c>Accept-Encoding</c>): decoded as it is read, as an automatically decompressing handler would have, so its
/// readers (a relay, an error body) see the bytes the upstream meant.
/// </summary>
public static class ContentDecoding
{
    /// <summary>Swaps the content for a decoding one when it is gzip, deflate or br encoded; otherwise leaves it.</summary>
    public static void Apply(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.Content.Headers.NonValidated.TryGetValues("Content-Encoding", out var values) && values.Count == 1 &&
            Decoder(values.ToString()) is { } decoder)
        {
            response.Content = new DecodedContent(response.Content, decoder);
        }
    }

    private static Func<Stream, Stream>? Decoder(string encoding) => encoding.Trim().ToLowerInvariant() switch
    {
        "gzip" or "x-gzip" => static s => new GZipStream(s, CompressionMode.Decompress),
        "deflate" => static s => new ZLibStream(s, CompressionMode.Decompress),
        "br" => static s => new BrotliStream(s, CompressionMode.Decompress),
        _ => null,
    };

    private sealed class DecodedContent : HttpContent
    {
        private readonly HttpContent _encoded;
        private readonly Func<Stream, Stream> _decoder;

        public DecodedContent(HttpContent encoded, Func<Stream, Stream> decoder)
        {
            (_encoded, _decoder) = (encoded, decoder);
            foreach (var (name, headerValues) in encoded.Headers.NonValidated)
            {
                if (!name.Equals("Content-Encoding", StringComparison.OrdinalIgnoreCase) && !name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    Headers.TryAddWithoutValidation(name, headerValues);
                }
            }
        }

        protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) =>
            _decoder(await _encoded.ReadAsStreamAsync(cancellationToken));

        protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            await using var decoded = await CreateContentReadStreamAsync(cancellationToken);
            await decoded.CopyToAsync(stream, cancellationToken);
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _encoded.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

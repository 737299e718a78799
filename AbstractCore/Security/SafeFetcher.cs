using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace AbstractCore.Security;

/// <summary>
/// Downloads a client-supplied http(s) URL without letting it reach a non-public address (spec §2.5).
/// The address check runs in the handler's <see cref="SocketsHttpHandler.ConnectCallback"/>: the name is
/// resolved there and the socket only ever connects to an address that passed, so a DNS answer that changes
/// between the check and the connection (rebinding) cannot slip through. A check before each request, on
/// every redirect hop, gives the spec's messages early and keeps pooled connections from being reused for a
/// target that would now be refused.
/// </summary>
public sealed partial class SafeFetcher : IDisposable
{
    public const string UserAgent = "Mozilla/5.0 (AbstractCore Server)";

    // Per request, since the handler (and its pool) is shared: an allowlisted URL skips the address check.
    private static readonly HttpRequestOptionsKey<bool> AllowlistedKey = new("AbstractCore.SafeFetcher.Allowlisted");

    private readonly SafeFetcherOptions _options;
    private readonly SocketsHttpHandler _handler;
    private readonly HttpClient _client;

    public SafeFetcher(SafeFetcherOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _handler = new SocketsHttpHandler
        {
            UseProxy = false, // a proxy would connect on our behalf, past the check
            AllowAutoRedirect = false, // each hop is re-validated by hand
            UseCookies = false,
            PreAuthenticate = false,
            AutomaticDecompression = DecompressionMethods.All, // the size cap counts decoded bytes
            ConnectTimeout = options.Timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            ConnectCallback = ConnectAsync,
        };
        _client = new HttpClient(_handler, disposeHandler: false) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    }

    public void Dispose()
    {
        _client.Dispose();
        _handler.Dispose();
    }

    public async Task<FetchedFile> FetchAsync(string url, CancellationToken cancellationToken)
    {
        var first = ParseUrl(url);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.Timeout);
        try
        {
            var current = first;
            for (var hop = 0; ; hop++)
            {
                var allowlisted = await CheckTargetAsync(current, deadline.Token);
                using var request = new HttpRequestMessage(HttpMethod.Get, current)
                {
                    // Never HTTP/3: QUIC connections do not go through ConnectCallback, so they would skip the check.
                    Version = HttpVersion.Version11,
                    VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
                };
                request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
                request.Headers.TryAddWithoutValidation("Accept", "*/*");
                request.Options.Set(AllowlistedKey, allowlisted);
                if (allowlisted)
                {
                    // Its connection skipped the address check: never hand it back to the pool.
                    request.Headers.ConnectionClose = true;
                }

                using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
                if (IsRedirect(response.StatusCode))
                {
                    if (hop >= _options.MaxRedirects)
                    {
                        throw Failure("Too many redirects");
                    }

                    var location = response.Headers.Location ?? throw Failure($"HTTP {(int)response.StatusCode} redirect without a Location header");
                    current = ParseUrl(new Uri(current, location).AbsoluteUri);
                    continue;
                }

                if ((int)response.StatusCode >= 400)
                {
                    throw Failure($"HTTP {(int)response.StatusCode}: {await ReadStartAsync(response, deadline.Token)}");
                }

                var content = await ReadCappedAsync(response, deadline.Token);
                return new FetchedFile(content, response.Content.Headers.ContentType?.ToString(), FileName(first, current));
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw Failure($"timed out after {_options.Timeout.TotalSeconds:0.#}s");
        }
        catch (HttpRequestException ex)
        {
            // A refusal raised in the connect callback arrives wrapped: it keeps its own status (403).
            for (Exception? inner = ex; inner is not null; inner = inner.InnerException)
            {
                if (inner is GatewayException refused)
                {
                    throw refused;
                }
            }

            throw Failure(ex.Message);
        }
        catch (IOException ex)
        {
            throw Failure(ex.Message);
        }
    }

    /// <summary>The spec's syntax checks, in its order and with its messages.</summary>
    private static Uri ParseUrl(string? url)
    {
        var text = url?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            throw GatewayException.BadRequest("Empty URL", "url");
        }

        var scheme = SchemePattern().Match(text);
        if (!scheme.Success || scheme.Groups[1].Value.ToLowerInvariant() is not ("http" or "https"))
        {
            throw GatewayException.BadRequest("Only http/https URLs are allowed", "url");
        }

        var rest = text[scheme.Length..];
        if (!rest.StartsWith("//", StringComparison.Ordinal) || HostPart(rest[2..]).Length == 0)
        {
            throw GatewayException.BadRequest("Invalid URL (missing host)", "url");
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Port is < 1 or > 65535)
        {
            throw GatewayException.BadRequest("Invalid URL", "url");
        }

        if (string.IsNullOrEmpty(uri.IdnHost))
        {
            throw GatewayException.BadRequest("Invalid URL (missing host)", "url");
        }

        return uri;
    }

    /// <summary>The host of an authority (<c>user@host:port</c>), brackets kept, for the missing-host test only.</summary>
    private static string HostPart(string afterSlashes)
    {
        var end = afterSlashes.AsSpan().IndexOfAny("/?#\\");
        var authority = end >= 0 ? afterSlashes[..end] : afterSlashes;
        authority = authority[(authority.LastIndexOf('@') + 1)..];
        if (authority.StartsWith('['))
        {
            return authority;
        }

        var colon = authority.IndexOf(':', StringComparison.Ordinal);
        return colon >= 0 ? authority[..colon] : authority;
    }

    /// <summary>
    /// Before a request: allowlisted → true; else the host must resolve and every address must be global.
    /// </summary>
    private async Task<bool> CheckTargetAsync(Uri target, CancellationToken cancellationToken)
    {
        if (_options.Allowlist.Matches(target))
        {
            return true;
        }

        var host = UrlCanonical.HostForLookup(target);
        await ResolveCheckedAsync(host, cancellationToken);
        return false;
    }

    /// <summary>The addresses of a host, all of them global, or a 403.</summary>
    private async Task<IPAddress[]> ResolveCheckedAsync(string host, CancellationToken cancellationToken)
    {
        var addresses = await ResolveAsync(host, cancellationToken);
        foreach (var address in addresses)
        {
            if (!AddressRules.IsGlobal(address))
            {
                throw new GatewayException(403,
                    $"Refusing to fetch non-public URL target (SSRF protection). Host={host} resolved to {address}. " +
                    $"To allow this, set {UrlAllowlist.UrlFetchSetting} with an explicit allowlist.", "forbidden", "url");
            }
        }

        return addresses;
    }

    private async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        if (DirectConnect.Literal(host) is { } literal)
        {
            return [literal];
        }

        var addresses = await _options.Resolver(host, cancellationToken);
        return addresses.Length > 0
            ? addresses
            : throw new GatewayException(403, $"URL host did not resolve: {host}", "forbidden", "url");
    }

    /// <summary>
    /// Resolves the name again and connects only to addresses checked here, whatever the pre-check saw.
    /// </summary>
    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var allowlisted = context.InitialRequestMessage.Options.TryGetValue(AllowlistedKey, out var flag) && flag;
        var addresses = allowlisted
            ? await ResolveAsync(host, cancellationToken)
            : await ResolveCheckedAsync(host, cancellationToken);

        return await DirectConnect.FirstAsync(addresses, context.DnsEndPoint.Port, _options.Connector, cancellationToken);
    }

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private async Task<byte[]> ReadCappedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var max = _options.MaxBytes;
        if (response.Content.Headers.ContentLength is { } declared && declared > max)
        {
            throw TooLarge(max);
        }

        // Counted while reading: a body without Content-Length (or one that lies) stops at the cap.
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await CappedRead.ReadAsync(body, max, response.Content.Headers.ContentLength, () => TooLarge(max), cancellationToken);
    }

    /// <summary>The first 200 characters of an error body, read no further than needed.</summary>
    private static async Task<string> ReadStartAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            var bytes = new byte[800]; // 200 characters of UTF-8 are at most 800 bytes
            var filled = 0;
            int read;
            while (filled < bytes.Length && (read = await body.ReadAsync(bytes.AsMemory(filled), cancellationToken)) > 0)
            {
                filled += read;
            }

            var text = Encoding.UTF8.GetString(bytes, 0, filled);
            return text.Length > 200 ? text[..200] : text;
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static string FileName(Uri first, Uri last)
    {
        foreach (var uri in new[] { first, last })
        {
            var segment = Uri.UnescapeDataString(uri.AbsolutePath).Replace('\\', '/');
            var name = segment[(segment.LastIndexOf('/') + 1)..];
            name = new string([.. name.Where(c => !char.IsControl(c) && !Path.GetInvalidFileNameChars().Contains(c))]).Trim();
            if (name.Length > 0 && name != "." && name != "..")
            {
                return name;
            }
        }

        return "download";
    }

    private static GatewayException TooLarge(long max) =>
        new(413, "Failed to download file: " + (max % (1024 * 1024) == 0
            ? $"File too large (max {max / (1024 * 1024)}MB)"
            : $"File too large (max {max} bytes)"), "file_too_large", "url");

    private static GatewayException Failure(string detail) =>
        new(400, $"Failed to download file: {detail}", "media_error", "url");

    [GeneratedRegex("^([A-Za-z][A-Za-z0-9+.-]*):")]
    private static partial Regex SchemePattern();
}

using AbstractCore.Security;

namespace AbstractCore.Media;

/// <summary>
/// Downloads an image URL an upstream answered with through the SSRF-safe fetcher (public addresses only unless
/// allowlisted, checked on the connected address and every redirect, 10 MB cap). A refusal or a failed download is
/// the upstream's fault from the client's point of view: 502 with the reason.
/// </summary>
internal sealed class SafeMediaFetcher(SafeFetcher fetcher) : IMediaFetcher
{
    public async Task<FetchedMedia> FetchAsync(Uri url, CancellationToken cancellationToken)
    {
        try
        {
            var file = await fetcher.FetchAsync(url.AbsoluteUri, cancellationToken);
            return new FetchedMedia(file.Content, file.ContentType);
        }
        catch (GatewayException e)
        {
            throw new GatewayException(502, $"The upstream answered with a media URL that could not be downloaded: {e.Message}",
                "upstream_error", code: "upstream_url_refused");
        }
    }
}

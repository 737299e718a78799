namespace AbstractCore.Media;

/// <summary>Placeholder until the SSRF-safe fetcher is wired: an upstream <c>url</c> answer is refused, never fetched blindly.</summary>
public sealed class UnwiredMediaFetcher : IMediaFetcher
{
    public Task<FetchedMedia> FetchAsync(Uri url, CancellationToken cancellationToken) =>
        throw new GatewayException(502,
            "The upstream answered with an image URL, and this server cannot download it yet; ask the upstream for b64_json.",
            "upstream_error", code: "upstream_url_unsupported");
}

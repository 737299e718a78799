namespace AbstractCore.Media;

/// <summary>Downloads a media URL an upstream answered with (an image <c>url</c> instead of <c>b64_json</c>).</summary>
public interface IMediaFetcher
{
    Task<FetchedMedia> FetchAsync(Uri url, CancellationToken cancellationToken);
}

public sealed record FetchedMedia(byte[] Data, string? ContentType);

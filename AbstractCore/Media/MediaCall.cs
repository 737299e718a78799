namespace AbstractCore.Media;

/// <summary>
/// One prepared upstream call for an image, video or music request, validated by the Api: the same record runs a
/// synchronous route in the Api and an async job in a worker (it is stored with the job, so messages stay small).
/// </summary>
/// <param name="Kind">The job kind, e.g. <c>images/generations</c> (see <see cref="MediaKinds"/>).</param>
/// <param name="Provider">The provider name (<c>openai-compatible</c>…), or <see cref="MediaKinds.MusicProvider"/>.</param>
/// <param name="BaseUrl">The request's <c>base_url</c> override, already checked by the Api (checked again on resolve).</param>
/// <param name="Path">The upstream path under the base URL, e.g. <c>images/generations</c>.</param>
/// <param name="Json">A JSON body, or null for a multipart call.</param>
/// <param name="Form">Multipart text fields (multipart calls only).</param>
/// <param name="Files">Multipart files (multipart calls only).</param>
public sealed record MediaCall(
    string Kind,
    string Provider,
    string? BaseUrl,
    string Path,
    string? Json,
    IReadOnlyList<MediaFormField>? Form = null,
    IReadOnlyList<MediaFile>? Files = null);

public sealed record MediaFormField(string Name, string Value);

public sealed record MediaFile(string Name, string FileName, string ContentType, byte[] Data);

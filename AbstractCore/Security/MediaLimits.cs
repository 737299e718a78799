namespace AbstractCore.Security;

/// <summary>Size limits for media attachments (spec §2.7), shared by the fetcher and the media code.</summary>
public static class MediaLimits
{
    /// <summary>10 MB: one downloaded, decoded or local file.</summary>
    public const long MaxFileBytes = 10L * 1024 * 1024;

    /// <summary>32 MB: all the files of one request together.</summary>
    public const long MaxRequestBytes = 32L * 1024 * 1024;

    /// <summary>64 MB: one JSON request body, room for <see cref="MaxRequestBytes"/> of files in base64 and the text.</summary>
    public const long MaxRequestBodyBytes = 64L * 1024 * 1024;
}

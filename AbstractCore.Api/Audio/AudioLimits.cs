namespace AbstractCore.Api.Audio;

/// <summary><c>ABSTRACTCORE_SERVER_AUDIO_MAX_BYTES</c>: the largest audio upload (default 25 MB; non-positive or invalid → default).</summary>
internal sealed record AudioLimits(long MaxUploadBytes)
{
    public const long DefaultMaxBytes = 25L * 1024 * 1024;

    public static AudioLimits From(IConfiguration configuration) =>
        new(long.TryParse(configuration["ABSTRACTCORE_SERVER_AUDIO_MAX_BYTES"], out var bytes) && bytes > 0 ? bytes : DefaultMaxBytes);
}

namespace AbstractCore.Api.Audio;

/// <summary>Content types for what the audio routes return.</summary>
internal static class AudioFormats
{
    public static readonly IReadOnlyList<string> Speech = ["mp3", "opus", "aac", "flac", "wav", "pcm"];

    public static readonly IReadOnlyList<string> Transcription = ["json", "text", "srt", "vtt", "verbose_json", "diarized_json"];

    /// <summary><c>audio/&lt;fmt&gt;</c>, with mp3's registered name.</summary>
    public static string AudioContentType(string format) => format == "mp3" ? "audio/mpeg" : "audio/" + format;

    /// <summary>JSON formats as JSON; text, SubRip and WebVTT as UTF-8 text, as OpenAI answers them.</summary>
    public static string TranscriptionContentType(string format) =>
        format is "text" or "srt" or "vtt" ? "text/plain; charset=utf-8" : "application/json";

    /// <summary>The headers a generated audio file goes out with: inline, named, never sniffed as something else.</summary>
    public static void SetFileHeaders(HttpResponse response, string stem, string format)
    {
        response.ContentType = AudioContentType(format);
        response.Headers.ContentDisposition = $"inline; filename=\"{stem}.{format}\"";
        response.Headers.XContentTypeOptions = "nosniff";
    }
}

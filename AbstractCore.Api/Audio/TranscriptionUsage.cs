using AbstractCore.Api.Media;
using AbstractCore.Spend;

namespace AbstractCore.Api.Audio;

/// <summary>
/// What a transcription costs: the seconds of audio, taken from the answer when it says (verbose_json's
/// <c>duration</c>, or whisper's <c>usage: {"type":"duration","seconds"}</c>), else from the upload's WAV header, else
/// estimated from its size; plus the tokens a token-priced model (gpt-4o-transcribe) reports.
/// </summary>
internal static class TranscriptionUsage
{
    /// <summary>128 kbit/s, a common MP3/AAC rate: what a compressed upload of unknown length is taken to be.</summary>
    private const double EstimatedBytesPerSecond = 16_000;

    /// <param name="answer">The upstream's JSON answer, or null when it was not JSON (text, srt, vtt, a stream).</param>
    /// <param name="wavSeconds">The upload's length from its WAV header, when it is a WAV.</param>
    /// <param name="uploadBytes">The upload's size, for the estimate.</param>
    public static Usage Of(byte[]? answer, double? wavSeconds, long uploadBytes)
    {
        var figures = answer is null ? default : AnswerUsage.Scan(answer);
        var usage = figures.Usage is { } reported ? AnswerUsage.Read(reported) : Usage.None;
        if (figures.Duration is { } duration)
        {
            return usage with { AudioSeconds = duration };
        }

        if (usage.AudioSeconds > 0)
        {
            return usage;
        }

        if (wavSeconds is { } seconds)
        {
            return usage with { AudioSeconds = seconds };
        }

        // Nothing the upstream said covers the length: counted from the size, and marked so unless tokens were reported.
        return usage with { AudioSeconds = uploadBytes / EstimatedBytesPerSecond, Estimated = figures.Usage is null };
    }
}

using System.Text.Json.Serialization;

namespace AbstractCore.Spend;

/// <summary>
/// One entry of the price table, in USD: per million tokens (input, output, cached input), per image, per second of
/// audio, per million characters of speech. An absent price is 0, except the cached input price, which is the input
/// price when absent (a provider without a prompt-cache discount).
/// </summary>
public sealed record ModelPrice
{
    public const string InputField = "input_per_mtok";
    public const string OutputField = "output_per_mtok";
    public const string CachedInputField = "cached_input_per_mtok";
    public const string ImageField = "per_image";
    public const string AudioSecondField = "per_audio_second";
    public const string MillionCharsField = "per_mchar";

    private const decimal Million = 1_000_000m;

    public static ModelPrice Free { get; } = new();

    [JsonPropertyName(InputField)]
    public decimal InputPerMTok { get; init; }

    [JsonPropertyName(OutputField)]
    public decimal OutputPerMTok { get; init; }

    [JsonPropertyName(CachedInputField)]
    public decimal? CachedInputPerMTok { get; init; }

    [JsonPropertyName(ImageField)]
    public decimal PerImage { get; init; }

    [JsonPropertyName(AudioSecondField)]
    public decimal PerAudioSecond { get; init; }

    [JsonPropertyName(MillionCharsField)]
    public decimal PerMChar { get; init; }

    /// <summary>
    /// The cost of <paramref name="usage"/>. Cached tokens are part of the input tokens (as OpenAI counts them), so
    /// they are taken out of the input and priced at the cached rate; more cached than input tokens counts as all cached.
    /// </summary>
    public decimal Cost(Usage usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        var input = Math.Max(usage.InputTokens, 0);
        var cached = Math.Clamp(usage.CachedInputTokens, 0, input);
        var tokens = ((input - cached) * InputPerMTok) + (cached * (CachedInputPerMTok ?? InputPerMTok))
            + (Math.Max(usage.OutputTokens, 0) * OutputPerMTok) + (Math.Max(usage.Characters, 0) * PerMChar);
        return (tokens / Million) + (Math.Max(usage.Images, 0) * PerImage) + (Seconds(usage.AudioSeconds) * PerAudioSecond);
    }

    /// <summary>A double from the upstream's figures as decimal; NaN, negative or absurd values (which decimal cannot
    /// hold) count as none rather than throw in the accounting path.</summary>
    private static decimal Seconds(double seconds) => seconds is > 0 and < 1e15 ? (decimal)seconds : 0m;
}

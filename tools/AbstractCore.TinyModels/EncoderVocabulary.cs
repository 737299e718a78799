namespace AbstractCore.TinyModels;

/// <summary>
/// The WordPiece vocabulary of the generated encoders: BERT's five specials, a few whole words, then every lowercase
/// letter and digit alone and as a <c>##</c> continuation, so any lowercase ASCII word has a tokenization without [UNK].
/// </summary>
public static class EncoderVocabulary
{
    public const string Pad = "[PAD]";
    public const string Unknown = "[UNK]";
    public const string Cls = "[CLS]";
    public const string Sep = "[SEP]";
    public const string Mask = "[MASK]";

    private static readonly string[] Words =
        ["the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "hello", "world", "embed", "##ding", ".", ",", "!", "?"];

    public static IReadOnlyList<string> Tokens { get; } =
    [
        Pad, Unknown, Cls, Sep, Mask, .. Words,
        .. Enumerable.Range('a', 26).Select(c => ((char)c).ToString()),
        .. Enumerable.Range('0', 10).Select(c => ((char)c).ToString()),
        .. Enumerable.Range('a', 26).Select(c => "##" + (char)c),
        .. Enumerable.Range('0', 10).Select(c => "##" + (char)c),
    ];

    private static readonly Dictionary<string, int> Ids = Tokens.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i, StringComparer.Ordinal);

    /// <summary>A token's id; throws for a token not in the vocabulary.</summary>
    public static int Id(string token) => Ids[token];
}

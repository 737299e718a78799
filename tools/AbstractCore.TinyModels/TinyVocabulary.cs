namespace AbstractCore.TinyModels;

/// <summary>
/// The byte-level vocabulary: ids 0..255 are the byte values, then six special tokens.
/// The model's "next token" rule is fixed (see <see cref="Next"/>), so every output is known in advance.
/// </summary>
public static class TinyVocabulary
{
    public const int Bos = 256;
    public const int Eos = 257;
    public const int User = 258;
    public const int Assistant = 259;
    public const int System = 260;
    public const int End = 261;
    public const int Size = 262;

    public static readonly IReadOnlyList<(int Id, string Text)> Specials =
    [
        (Bos, "<|bos|>"), (Eos, "<|eos|>"), (User, "<|user|>"), (Assistant, "<|assistant|>"), (System, "<|system|>"), (End, "<|end|>"),
    ];

    /// <summary>The answer to any chat that ends with a user (or system) turn.</summary>
    public const string ChatAnswer = "HIJKLMNOPQRSTUVWXYZ";

    /// <summary>
    /// The greedy next token: a..y → next letter and z → a (cycles forever); 0..8 → next digit and 9 → 0 (cycles);
    /// A..Y → next letter and Z → EOS; BOS → a; the assistant marker → H; anything else → EOS.
    /// </summary>
    public static int Next(int token) => token switch
    {
        >= 'a' and < 'z' => token + 1,
        'z' => 'a',
        >= '0' and < '9' => token + 1,
        '9' => '0',
        >= 'A' and < 'Z' => token + 1,
        Bos => 'a',
        Assistant => 'H',
        _ => Eos,
    };

    /// <summary>The text greedy decoding produces after <paramref name="lastPromptChar"/>, for at most <paramref name="maxTokens"/> tokens.</summary>
    public static string Continue(char lastPromptChar, int maxTokens)
    {
        var text = new System.Text.StringBuilder();
        var token = (int)lastPromptChar;
        while (text.Length < maxTokens && (token = Next(token)) is not Eos)
        {
            text.Append((char)token);
        }

        return text.ToString();
    }
}

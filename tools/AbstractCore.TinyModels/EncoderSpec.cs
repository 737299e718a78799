namespace AbstractCore.TinyModels;

/// <summary>How a generated encoder's folder spells its tokenizer: HF <c>tokenizer.json</c> (WordPiece), a bare
/// <c>vocab.txt</c> (BERT's), or a byte-level BPE <c>tokenizer.json</c> (one token per UTF-8 byte, no specials added).</summary>
public enum EncoderTokenizer
{
    WordPieceJson,
    VocabTxt,
    ByteLevelBpe,
}

/// <summary>
/// A tiny BERT-style sentence encoder (<see cref="EncoderModelWriter"/>). <paramref name="Normalize"/> writes the
/// sentence-transformers <c>modules.json</c> with a Normalize module; <paramref name="Matryoshka"/> writes
/// <c>embedding_config.json</c> allowing <c>dimensions</c> by truncation; <paramref name="TokenTypeIds"/> gives the graph
/// BERT's third input.
/// </summary>
public sealed record EncoderSpec(
    int Layers = 2,
    int Hidden = 32,
    int Heads = 2,
    int Intermediate = 64,
    int MaxLength = 16,
    EncoderTokenizer Tokenizer = EncoderTokenizer.WordPieceJson,
    bool TokenTypeIds = true,
    bool Normalize = true,
    bool Matryoshka = false)
{
    public static EncoderSpec Tiny { get; } = new();

    /// <summary>all-MiniLM-L6-v2's shape (6 layers × 384, 12 heads, 1536 wide, 128 tokens): for benchmarks.</summary>
    public static EncoderSpec Bench { get; } = new(Layers: 6, Hidden: 384, Heads: 12, Intermediate: 1536, MaxLength: 128);

    public int HeadSize => Hidden / Heads;

    public int VocabSize => Tokenizer == EncoderTokenizer.ByteLevelBpe ? TinyVocabulary.Size : EncoderVocabulary.Tokens.Count;
}

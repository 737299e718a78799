using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace AbstractCore.Inference.Embeddings;

/// <summary>
/// An embedding model's tokenizer (Microsoft.ML.Tokenizers), built from what the folder holds: <c>tokenizer.json</c>
/// with a WordPiece model (BERT) or a BPE one (byte-level or not), else BERT's <c>vocab.txt</c>. The text's own tokens
/// and the special tokens around them (the post-processor's, e.g. [CLS] … [SEP]) are kept apart, so truncation keeps the
/// specials as transformers does.
/// </summary>
internal sealed partial class EmbeddingTokenizer
{
    private readonly Func<string, IReadOnlyList<int>> _encode;

    private EmbeddingTokenizer(Func<string, IReadOnlyList<int>> encode, int[] prefix, int[] suffix, int padId)
    {
        _encode = encode;
        Prefix = prefix;
        Suffix = suffix;
        PadId = padId;
    }

    /// <summary>Special tokens before the text (e.g. [CLS]).</summary>
    public int[] Prefix { get; }

    /// <summary>Special tokens after the text (e.g. [SEP]).</summary>
    public int[] Suffix { get; }

    public int PadId { get; }

    /// <summary>The text's tokens, without the special tokens around them.</summary>
    public IReadOnlyList<int> EncodeText(string text) => _encode(text);

    public static EmbeddingTokenizer Load(string folder)
    {
        var json = Path.Combine(folder, "tokenizer.json");
        if (File.Exists(json))
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(json));
            return FromTokenizerJson(document.RootElement);
        }

        // vocab.txt alone: BERT, lower-cased unless tokenizer_config.json says otherwise.
        var lower = true;
        var config = Path.Combine(folder, "tokenizer_config.json");
        if (File.Exists(config))
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(config));
            lower = !(document.RootElement.TryGetProperty("do_lower_case", out var l) && l.ValueKind == JsonValueKind.False);
        }

        var bert = BertTokenizer.Create(Path.Combine(folder, "vocab.txt"), new BertOptions { LowerCaseBeforeTokenization = lower, RemoveNonSpacingMarks = lower });
        return new EmbeddingTokenizer(text => bert.EncodeToIds(text, addSpecialTokens: false), [bert.ClassificationTokenId], [bert.SeparatorTokenId],
            bert.PaddingTokenId);
    }

    private static EmbeddingTokenizer FromTokenizerJson(JsonElement root)
    {
        var model = root.GetProperty("model");
        var vocab = model.GetProperty("vocab").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32(), StringComparer.Ordinal);
        var specials = root.TryGetProperty("added_tokens", out var added) && added.ValueKind == JsonValueKind.Array
            ? added.EnumerateArray().Where(t => t.TryGetProperty("special", out var s) && s.ValueKind == JsonValueKind.True)
                .ToDictionary(t => t.GetProperty("content").GetString()!, t => t.GetProperty("id").GetInt32(), StringComparer.Ordinal)
            : [];
        var (prefix, suffix) = SpecialsAround(root.TryGetProperty("post_processor", out var post) ? post : default, vocab);
        var padId = root.TryGetProperty("padding", out var padding) && padding.ValueKind == JsonValueKind.Object &&
                    padding.TryGetProperty("pad_id", out var pad) ? pad.GetInt32()
            : vocab.GetValueOrDefault("[PAD]", vocab.GetValueOrDefault("<pad>", 0));

        var type = Text(model, "type");
        Func<string, IReadOnlyList<int>> encode = type switch
        {
            "WordPiece" => WordPiece(root, model, vocab),
            "BPE" => Bpe(root, model, vocab, specials),
            _ => throw new NotSupportedException(
                $"tokenizer.json has a '{type}' model; local embeddings read WordPiece and BPE tokenizers (or a BERT vocab.txt)."),
        };
        return new EmbeddingTokenizer(encode, prefix, suffix, padId);
    }

    /// <summary>A BERT tokenizer over the file's vocabulary (written out as vocab.txt lines in id order) and normaliser options.</summary>
    private static Func<string, IReadOnlyList<int>> WordPiece(JsonElement root, JsonElement model, Dictionary<string, int> vocab)
    {
        var lines = new string[vocab.Values.Max() + 1];
        foreach (var (token, id) in vocab)
        {
            lines[id] = token;
        }

        for (var i = 0; i < lines.Length; i++)
        {
            lines[i] ??= $"[unused-id-{i}]"; // a gap in the ids keeps every later line's id
        }

        var normalizer = root.TryGetProperty("normalizer", out var n) && n.ValueKind == JsonValueKind.Object ? n : default;
        var lower = Flag(normalizer, "lowercase") ?? true;
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', lines)));
        var bert = BertTokenizer.Create(stream, new BertOptions
        {
            LowerCaseBeforeTokenization = lower,
            RemoveNonSpacingMarks = Flag(normalizer, "strip_accents") ?? lower,
            IndividuallyTokenizeCjk = Flag(normalizer, "handle_chinese_chars") ?? true,
            UnknownToken = Text(model, "unk_token") ?? "[UNK]",
            ContinuingSubwordPrefix = Text(model, "continuing_subword_prefix") ?? "##",
            MaxInputCharsPerWord = model.TryGetProperty("max_input_chars_per_word", out var max) && max.TryGetInt32(out var m) ? m : 100,
        });
        return text => bert.EncodeToIds(text, addSpecialTokens: false);
    }

    private static Func<string, IReadOnlyList<int>> Bpe(JsonElement root, JsonElement model, Dictionary<string, int> vocab, Dictionary<string, int> specials)
    {
        var merges = model.TryGetProperty("merges", out var m) && m.ValueKind == JsonValueKind.Array
            ? m.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Array ? string.Join(' ', e.EnumerateArray().Select(p => p.GetString())) : e.GetString()!).ToList()
            : [];
        var byteLevel = Mentions(root.TryGetProperty("pre_tokenizer", out var pre) ? pre : default, "ByteLevel");
        var bpe = BpeTokenizer.Create(new BpeOptions(vocab)
        {
            Merges = merges,
            SpecialTokens = specials,
            ByteLevel = byteLevel,
            PreTokenizer = byteLevel ? new RegexPreTokenizer(Gpt2Split(), specials) : PreTokenizer.CreateWordOrNonWord(specials),
            UnknownToken = Text(model, "unk_token"),
            ContinuingSubwordPrefix = Text(model, "continuing_subword_prefix"),
            EndOfWordSuffix = Text(model, "end_of_word_suffix"),
            FuseUnknownTokens = Flag(model, "fuse_unk") ?? false,
        });
        return text => bpe.EncodeToIds(text);
    }

    /// <summary>
    /// The post-processor's special tokens around a single sequence: TemplateProcessing's <c>single</c> template, or
    /// BertProcessing/RobertaProcessing's <c>cls</c> and <c>sep</c>; inside a <c>Sequence</c> processor too. None without one.
    /// </summary>
    private static (int[] Prefix, int[] Suffix) SpecialsAround(JsonElement post, Dictionary<string, int> vocab)
    {
        if (post.ValueKind != JsonValueKind.Object)
        {
            return ([], []);
        }

        switch (Text(post, "type"))
        {
            case "Sequence":
                return post.GetProperty("processors").EnumerateArray().Select(p => SpecialsAround(p, vocab))
                    .FirstOrDefault(s => s.Prefix.Length + s.Suffix.Length > 0, ([], []));
            case "BertProcessing" or "RobertaProcessing":
                return ([post.GetProperty("cls")[1].GetInt32()], [post.GetProperty("sep")[1].GetInt32()]);
            case "TemplateProcessing":
                var ids = post.TryGetProperty("special_tokens", out var st) ? st : default;
                List<int> before = [], after = [];
                var seen = false;
                foreach (var piece in post.GetProperty("single").EnumerateArray())
                {
                    if (piece.TryGetProperty("Sequence", out _))
                    {
                        seen = true;
                    }
                    else if (piece.TryGetProperty("SpecialToken", out var special))
                    {
                        var name = special.GetProperty("id").GetString()!;
                        IEnumerable<int> tokenIds = ids.ValueKind == JsonValueKind.Object && ids.TryGetProperty(name, out var entry)
                            ? entry.GetProperty("ids").EnumerateArray().Select(i => i.GetInt32())
                            : [vocab[name]];
                        (seen ? after : before).AddRange(tokenIds);
                    }
                }

                return ([.. before], [.. after]);
            default:
                return ([], []);
        }
    }

    private static bool Mentions(JsonElement element, string type) => element.ValueKind switch
    {
        JsonValueKind.Object => Text(element, "type") == type ||
                                (element.TryGetProperty("pretokenizers", out var list) && list.EnumerateArray().Any(e => Mentions(e, type))),
        _ => false,
    };

    private static bool? Flag(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;

    private static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>GPT-2's pre-tokenisation (what the ByteLevel pre-tokenizer's <c>use_regex</c> applies).</summary>
    [GeneratedRegex(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+")]
    private static partial Regex Gpt2Split();
}

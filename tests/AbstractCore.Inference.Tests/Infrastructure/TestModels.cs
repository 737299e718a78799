using AbstractCore.TinyModels;

namespace AbstractCore.Inference.Tests.Infrastructure;

/// <summary>
/// Tiny models generated once per test run into a temp folder: <c>tiny</c> (context 2048), <c>tiny-long</c>
/// (context 65536, for requests that must run long enough to be cancelled or queued behind) and <c>tiny-tools</c>
/// (the scripted tool-calling model, <see cref="ScriptedModelWriter"/>, context 262144), and three sentence encoders
/// (<see cref="EncoderModelWriter"/>): <c>tiny-embed</c> (WordPiece tokenizer.json, normalised), <c>tiny-embed-vocab</c>
/// (vocab.txt, not normalised, no token_type_ids) and <c>tiny-embed-bpe</c> (byte-level BPE, normalised, Matryoshka).
/// </summary>
public static class TestModels
{
    public const string Tiny = "tiny";
    public const string Long = "tiny-long";
    public const string Scripted = "tiny-tools";
    public const string Embed = "tiny-embed";
    public const string EmbedVocab = "tiny-embed-vocab";
    public const string EmbedBpe = "tiny-embed-bpe";

    public static readonly IReadOnlyDictionary<string, EncoderSpec> Encoders = new Dictionary<string, EncoderSpec>
    {
        [Embed] = EncoderSpec.Tiny,
        [EmbedVocab] = EncoderSpec.Tiny with { Tokenizer = EncoderTokenizer.VocabTxt, TokenTypeIds = false, Normalize = false },
        [EmbedBpe] = EncoderSpec.Tiny with { Tokenizer = EncoderTokenizer.ByteLevelBpe, Matryoshka = true },
    };

    private static readonly Lazy<string> Root = new(() =>
    {
        var root = Path.Combine(Path.GetTempPath(), "acore-onnx-tests-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8]);
        TinyModelWriter.Write(Path.Combine(root, Tiny));
        TinyModelWriter.Write(Path.Combine(root, Long), TinyModelSpec.Tiny with { ContextLength = 65536 });
        ScriptedModelWriter.Write(Path.Combine(root, Scripted));
        foreach (var (name, spec) in Encoders)
        {
            EncoderModelWriter.Write(Path.Combine(root, name), spec);
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                System.IO.Directory.Delete(root, true);
            }
            catch (IOException)
            {
            }
        };
        return root;
    });

    /// <summary>The models directory (ABSTRACTCORE_ONNX_MODELS_DIR) holding every test model.</summary>
    public static string Directory => Root.Value;
}

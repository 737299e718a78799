using System.Text.Json;
using AbstractCore.Inference.Models;

namespace AbstractCore.Inference.Embeddings;

/// <summary>How token vectors become one sentence vector: the mask-weighted mean (sentence-transformers' default) or [CLS].</summary>
internal enum Pooling
{
    Mean,
    Cls,
}

/// <summary>
/// A sentence-embedding export: a folder with <c>model.onnx</c> (or <c>onnx/model.onnx</c>, as the Hub's repositories
/// keep it) and <c>tokenizer.json</c> or <c>vocab.txt</c>, and no <c>genai_config.json</c> (that is a chat model). What
/// is read here comes from small JSON files only, so listing never loads a model; the graph's inputs are checked at load.
/// </summary>
/// <param name="MaxLength">The most tokens an input may have, special tokens included.</param>
/// <param name="Normalize">Whether vectors are L2-normalised (sentence-transformers' Normalize module, or embedding_config.json).</param>
/// <param name="Matryoshka">Whether <c>dimensions</c> may truncate vectors (only embedding_config.json says so).</param>
internal sealed record EmbeddingFolder(
    string Name, string Path, string ModelFile, int MaxLength, Pooling Pooling, bool Normalize, bool Matryoshka, DateTimeOffset Created)
{
    /// <summary>AbstractCore's own overrides: <c>{"max_length", "pooling": "mean"|"cls", "normalize", "matryoshka"}</c>, each optional.</summary>
    public const string ConfigFile = "embedding_config.json";

    public static EmbeddingFolder? TryRead(string path)
    {
        if (File.Exists(System.IO.Path.Combine(path, ModelFolder.ConfigFile)) ||
            !(File.Exists(System.IO.Path.Combine(path, "tokenizer.json")) || File.Exists(System.IO.Path.Combine(path, "vocab.txt"))))
        {
            return null;
        }

        var modelFile = new[] { "model.onnx", System.IO.Path.Combine("onnx", "model.onnx") }
            .Select(f => System.IO.Path.Combine(path, f)).FirstOrDefault(File.Exists);
        if (modelFile is null)
        {
            return null;
        }

        try
        {
            var own = Read(path, ConfigFile);
            var pooling = Read(path, System.IO.Path.Combine("1_Pooling", "config.json"));
            var usesCls = Text(own, "pooling") is { } p
                ? p.Equals("cls", StringComparison.OrdinalIgnoreCase)
                : Bool(pooling, "pooling_mode_cls_token") == true && Bool(pooling, "pooling_mode_mean_tokens") != true;
            return new EmbeddingFolder(
                System.IO.Path.GetFileName(path), path, modelFile, ReadMaxLength(path, own), usesCls ? Pooling.Cls : Pooling.Mean,
                Bool(own, "normalize") ?? HasNormalizeModule(path), Bool(own, "matryoshka") ?? false,
                new DateTimeOffset(File.GetLastWriteTimeUtc(modelFile), TimeSpan.Zero));
        }
        catch (Exception e) when (e is JsonException or IOException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// The first of: embedding_config.json <c>max_length</c>; sentence-transformers' <c>max_seq_length</c> (what it truncates
    /// to); tokenizer_config.json <c>model_max_length</c> when real (transformers writes 1e30 for "none"); config.json
    /// <c>max_position_embeddings</c>; 512.
    /// </summary>
    private static int ReadMaxLength(string path, JsonElement own)
    {
        var tokenizerMax = Int(Read(path, "tokenizer_config.json"), "model_max_length");
        return Int(own, "max_length")
            ?? Int(Read(path, "sentence_bert_config.json"), "max_seq_length")
            ?? (tokenizerMax < 1_000_000 ? tokenizerMax : null)
            ?? Int(Read(path, "config.json"), "max_position_embeddings")
            ?? 512;
    }

    private static bool HasNormalizeModule(string path) =>
        Read(path, "modules.json") is { ValueKind: JsonValueKind.Array } modules &&
        modules.EnumerateArray().Any(m => Text(m, "type") is { } type && type.EndsWith(".Normalize", StringComparison.Ordinal));

    private static JsonElement Read(string folder, string file)
    {
        var path = System.IO.Path.Combine(folder, file);
        if (!File.Exists(path))
        {
            return default;
        }

        using var document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        return document.RootElement.Clone();
    }

    private static int? Int(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number
            ? v.TryGetInt32(out var i) ? i : int.MaxValue
            : null;

    private static bool? Bool(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? v.GetBoolean()
            : null;

    private static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}

using Microsoft.ML.OnnxRuntime;

namespace AbstractCore.Inference.Embeddings;

/// <summary>
/// A loaded sentence encoder: an ONNX Runtime session (thread-safe: concurrent requests share it) and its tokenizer.
/// Inputs run in batches of up to <see cref="MaxBatch"/>, sorted by length so each batch pads little; the token vectors
/// are pooled with the attention mask, cut to the asked dimensions and L2-normalised when the folder says so.
/// </summary>
internal sealed class EmbeddingModel : IDisposable
{
    public const int MaxBatch = 32;

    private static readonly string[] OutputNames = ["last_hidden_state", "token_embeddings"];
    private readonly InferenceSession _session;
    private readonly string[] _outputs;
    private readonly bool _tokenTypes;

    private EmbeddingModel(EmbeddingFolder folder, EmbeddingTokenizer tokenizer, InferenceSession session)
    {
        Folder = folder;
        Tokenizer = tokenizer;
        _session = session;
        var inputs = session.InputMetadata.Keys.ToHashSet(StringComparer.Ordinal);
        if (!inputs.Contains("input_ids") || !inputs.Contains("attention_mask") || inputs.Except(["input_ids", "attention_mask", "token_type_ids"]).Any())
        {
            throw new InvalidDataException(
                $"{folder.ModelFile} is not a sentence-embedding export: its inputs are {string.Join(", ", inputs)} (expected input_ids, attention_mask and optionally token_type_ids).");
        }

        _tokenTypes = inputs.Contains("token_type_ids");
        var output = OutputNames.FirstOrDefault(session.OutputMetadata.ContainsKey)
                     ?? session.OutputMetadata.FirstOrDefault(o => o.Value.Dimensions.Length == 3).Key
                     ?? throw new InvalidDataException($"{folder.ModelFile} has no [batch, sequence, hidden] output to pool.");
        _outputs = [output];

        // One short run checks the graph end to end and gives the width when the export leaves it symbolic.
        Dimensions = Pool([[.. tokenizer.Prefix, tokenizer.PadId, .. tokenizer.Suffix]])[0].Length;
    }

    public EmbeddingFolder Folder { get; }

    public EmbeddingTokenizer Tokenizer { get; }

    /// <summary>The model's vector width.</summary>
    public int Dimensions { get; }

    public static EmbeddingModel Load(EmbeddingFolder folder, int? intraOpThreads)
    {
        var tokenizer = EmbeddingTokenizer.Load(folder.Path);
        using var options = new Microsoft.ML.OnnxRuntime.SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        if (intraOpThreads is { } threads)
        {
            options.IntraOpNumThreads = threads;
        }

        InferenceSession? session = null;
        try
        {
            session = new InferenceSession(folder.ModelFile, options);
            var model = new EmbeddingModel(folder, tokenizer, session);
            session = null; // the model owns it now
            return model;
        }
        finally
        {
            session?.Dispose();
        }
    }

    /// <summary>
    /// The input's tokens with the special tokens around it. Longer than the model's maximum: cut (keeping the specials)
    /// when <paramref name="truncate"/>, else null; <paramref name="length"/> is the uncut count.
    /// </summary>
    public int[]? Tokenize(string text, bool truncate, out int length)
    {
        var body = Tokenizer.EncodeText(text);
        var room = Folder.MaxLength - Tokenizer.Prefix.Length - Tokenizer.Suffix.Length;
        length = body.Count + Tokenizer.Prefix.Length + Tokenizer.Suffix.Length;
        if (body.Count > room && !truncate)
        {
            return null;
        }

        return [.. Tokenizer.Prefix, .. body.Take(Math.Max(0, room)), .. Tokenizer.Suffix];
    }

    /// <summary>One vector per input (in order), <paramref name="dimensions"/> wide.</summary>
    public float[][] Embed(IReadOnlyList<int[]> inputs, int dimensions)
    {
        var vectors = new float[inputs.Count][];
        var order = Enumerable.Range(0, inputs.Count).OrderBy(i => inputs[i].Length).ToArray();
        foreach (var chunk in order.Chunk(MaxBatch))
        {
            var pooled = Pool([.. chunk.Select(i => inputs[i])]);
            for (var j = 0; j < chunk.Length; j++)
            {
                vectors[chunk[j]] = Finish(pooled[j], dimensions);
            }
        }

        return vectors;
    }

    /// <summary>Runs one padded batch and pools each row over its real tokens.</summary>
    private float[][] Pool(int[][] batch)
    {
        var rows = batch.Length;
        var width = batch.Max(b => b.Length);
        var ids = new long[rows * width];
        var mask = new long[rows * width];
        for (var r = 0; r < rows; r++)
        {
            ids.AsSpan(r * width, width).Fill(Tokenizer.PadId);
            for (var t = 0; t < batch[r].Length; t++)
            {
                ids[(r * width) + t] = batch[r][t];
                mask[(r * width) + t] = 1;
            }
        }

        long[] shape = [rows, width];
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
        using var typesValue = _tokenTypes ? OrtValue.CreateTensorValueFromMemory(new long[rows * width], shape) : null;
        string[] names = _tokenTypes ? ["input_ids", "attention_mask", "token_type_ids"] : ["input_ids", "attention_mask"];
        OrtValue[] values = _tokenTypes ? [idsValue, maskValue, typesValue!] : [idsValue, maskValue];
        using var runOptions = new RunOptions();
        using var results = _session.Run(runOptions, names, values, _outputs);
        var hidden = results[0].GetTensorDataAsSpan<float>();
        var size = hidden.Length / (rows * width);

        var pooled = new float[rows][];
        for (var r = 0; r < rows; r++)
        {
            var vector = pooled[r] = new float[size];
            var count = Folder.Pooling == Pooling.Cls ? 1 : Math.Max(1, batch[r].Length);
            for (var t = 0; t < count; t++)
            {
                var token = hidden.Slice(((r * width) + t) * size, size);
                for (var d = 0; d < size; d++)
                {
                    vector[d] += token[d];
                }
            }

            for (var d = 0; d < size; d++)
            {
                vector[d] /= count;
            }
        }

        return pooled;
    }

    /// <summary>The first <paramref name="dimensions"/> values, then L2-normalised (as sentence-transformers does, after any cut) when the folder says so.</summary>
    private float[] Finish(float[] pooled, int dimensions)
    {
        var vector = dimensions < pooled.Length ? pooled[..dimensions] : pooled;
        if (Folder.Normalize)
        {
            var norm = Math.Sqrt(vector.Sum(v => (double)v * v));
            var scale = (float)(1 / Math.Max(norm, 1e-12));
            for (var d = 0; d < vector.Length; d++)
            {
                vector[d] *= scale;
            }
        }

        return vector;
    }

    public void Dispose() => _session.Dispose();
}

using System.Globalization;

namespace AbstractCore.TinyModels;

/// <summary>
/// A llama-type decoder in the ONNX Runtime GenAI contract (input_ids, attention_mask, position_ids,
/// past_key_values.N.key|value in; logits, present.N.key|value out) with com.microsoft.GroupQueryAttention,
/// whose present aliases past (past_present_share_buffer). Logits are a fixed "next token" table (20 on the
/// next token) plus 0.01 × the real attention stack's output: the KV cache is exercised but never changes the argmax.
/// </summary>
internal static class DecoderGraph
{
    public static byte[] Build(TinyModelSpec spec)
    {
        var g = new OnnxGraph();
        var random = new SplitMix(20261126);
        int v = TinyVocabulary.Size, h = spec.Hidden, hd = spec.HeadSize, kv = spec.KvHeads * hd;

        g.Input("input_ids", OnnxGraph.Int64Type, "batch_size", "sequence_length");
        g.Input("attention_mask", OnnxGraph.Int64Type, "batch_size", "total_sequence_length");
        g.Input("position_ids", OnnxGraph.Int64Type, "batch_size", "sequence_length");
        for (var i = 0; i < spec.Layers; i++)
        {
            g.Input(Past(i, "key"), OnnxGraph.FloatType, "batch_size", spec.KvHeads, "past_sequence_length", hd);
            g.Input(Past(i, "value"), OnnxGraph.FloatType, "batch_size", spec.KvHeads, "past_sequence_length", hd);
        }

        g.Output("logits", OnnxGraph.FloatType, "batch_size", "sequence_length", v);
        for (var i = 0; i < spec.Layers; i++)
        {
            g.Output(Present(i, "key"), OnnxGraph.FloatType, "batch_size", spec.KvHeads, "total_sequence_length", hd);
            g.Output(Present(i, "value"), OnnxGraph.FloatType, "batch_size", spec.KvHeads, "total_sequence_length", hd);
        }

        // Embeddings.
        var tok = g.Op("Gather", g.Floats("tok_emb", random.Floats(v * h, 0.1f), v, h), "input_ids");
        var pos = g.Op("Gather", g.Floats("pos_emb", random.Floats(spec.ContextLength * h, 0.1f), spec.ContextLength, h), "position_ids");
        var hidden = g.Op("Add", tok, pos);

        // Lengths from the attention mask only (with a shared buffer, past's shape is max_length).
        var axes = g.Int64s("axis_1", [1], 1);
        var maskSum = g.Op("ReduceSum", ["attention_mask", axes], ("keepdims", 0));
        var seqLens = g.Op("Cast", [g.Op("Sub", maskSum, g.Int64s("one", [1]))], ("to", OnnxGraph.Int32Type));
        var totalLen = g.Op("Cast", [g.Op("Gather", g.Op("Shape", "attention_mask"), g.Int64s("index_1", [1]))], ("to", OnnxGraph.Int32Type));

        var scale = (float)(1 / Math.Sqrt(hd));
        for (var i = 0; i < spec.Layers; i++)
        {
            var n = i.ToString(CultureInfo.InvariantCulture);
            var q = g.Op("MatMul", hidden, g.Floats($"wq_{n}", random.Floats(h * h, 0.1f), h, h));
            var k = g.Op("MatMul", hidden, g.Floats($"wk_{n}", random.Floats(h * kv, 0.1f), h, kv));
            var val = g.Op("MatMul", hidden, g.Floats($"wv_{n}", random.Floats(h * kv, 0.1f), h, kv));
            var attention = g.Node("GroupQueryAttention",
                [q, k, val, Past(i, "key"), Past(i, "value"), seqLens, totalLen],
                [$"attn_{n}", Present(i, "key"), Present(i, "value")],
                OnnxGraph.MicrosoftDomain,
                ("num_heads", spec.Heads), ("kv_num_heads", spec.KvHeads), ("scale", scale));
            var projected = g.Op("MatMul", attention, g.Floats($"wo_{n}", random.Floats(h * h, 0.1f), h, h));
            hidden = g.Op("Add", hidden, projected);
        }

        var next = new float[v * v];
        for (var t = 0; t < v; t++)
        {
            next[(t * v) + TinyVocabulary.Next(t)] = 20f;
        }

        var table = g.Op("Gather", g.Floats("next_table", next, v, v), "input_ids");
        var head = g.Op("MatMul", hidden, g.Floats("lm_head", random.Floats(h * v, 0.1f), h, v));
        var small = g.Op("Mul", head, g.Floats("lm_scale", [0.01f]));
        g.Node("Add", [table, small], ["logits"]);
        return g.ToModel("tiny_decoder");
    }

    private static string Past(int layer, string kind) => $"past_key_values.{layer.ToString(CultureInfo.InvariantCulture)}.{kind}";

    private static string Present(int layer, string kind) => $"present.{layer.ToString(CultureInfo.InvariantCulture)}.{kind}";
}

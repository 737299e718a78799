using System.Globalization;

namespace AbstractCore.TinyModels;

/// <summary>
/// A BERT-style encoder as optimum exports one for feature extraction: inputs <c>input_ids</c>, <c>attention_mask</c>
/// (and <c>token_type_ids</c>), int64 [batch, sequence]; output <c>last_hidden_state</c> float [batch, sequence, hidden].
/// Word + position (+ token type) embeddings and LayerNorm, then per layer multi-head self-attention (padding masked
/// with BERT's additive -10000), residual and LayerNorm, a tanh-GELU feed-forward, residual and LayerNorm.
/// </summary>
internal static class EncoderGraph
{
    public static byte[] Build(EncoderSpec spec, EncoderWeights w)
    {
        var g = new OnnxGraph();
        int h = spec.Hidden, f = spec.Intermediate;
        g.Input("input_ids", OnnxGraph.Int64Type, "batch_size", "sequence_length");
        g.Input("attention_mask", OnnxGraph.Int64Type, "batch_size", "sequence_length");
        if (spec.TokenTypeIds)
        {
            g.Input("token_type_ids", OnnxGraph.Int64Type, "batch_size", "sequence_length");
        }

        g.Output("last_hidden_state", OnnxGraph.FloatType, "batch_size", "sequence_length", h);

        // Embeddings: positions 0..sequence-1 come from the graph itself, as in BERT.
        var sequence = g.Op("Gather", g.Op("Shape", "input_ids"), g.Int64s("index_1", [1]));
        var positions = g.Op("Range", g.Int64s("zero", [0]), sequence, g.Int64s("step", [1]));
        var x = g.Op("Add",
            g.Op("Gather", g.Floats("word_embeddings", w.Words, spec.VocabSize, h), "input_ids"),
            g.Op("Gather", g.Floats("position_embeddings", w.Positions, spec.MaxLength, h), positions));
        if (spec.TokenTypeIds)
        {
            x = g.Op("Add", x, g.Op("Gather", g.Floats("token_type_embeddings", w.TokenTypes, 2, h), "token_type_ids"));
        }

        x = LayerNorm(g, x, "embeddings", w.EmbedNormScale, w.EmbedNormBias);

        // [batch, 1, 1, sequence]: 0 where the mask is 1, -10000 where it is 0.
        var mask = g.Op("Cast", ["attention_mask"], ("to", OnnxGraph.FloatType));
        var maskBias = g.Op("Unsqueeze",
            g.Op("Mul", g.Op("Sub", g.Floats("one", [1f]), mask), g.Floats("masked_score", [EncoderWeights.MaskedScore])),
            g.Int64s("mask_axes", [1, 2], 2));
        var split = g.Int64s("split_heads", [0, 0, spec.Heads, spec.HeadSize], 4);
        var merge = g.Int64s("merge_heads", [0, 0, h], 3);
        var scale = g.Floats("attention_scale", [(float)(1 / Math.Sqrt(spec.HeadSize))]);
        var gelu = new GeluConstants(g.Floats("gelu_cube", [0.044715f]), g.Floats("gelu_scale", [(float)Math.Sqrt(2 / Math.PI)]), g.Floats("half", [0.5f]));

        for (var i = 0; i < spec.Layers; i++)
        {
            var n = "layer" + i.ToString(CultureInfo.InvariantCulture);
            var l = w.Layers[i];
            string Linear(string input, string name, float[] weight, float[] bias, int inSize, int outSize) =>
                g.Op("Add", g.Op("MatMul", input, g.Floats($"{n}.{name}.weight", weight, inSize, outSize)), g.Floats($"{n}.{name}.bias", bias, outSize));
            string Heads(string t, long[] perm) => g.Op("Transpose", [g.Op("Reshape", t, split)], ("perm", perm));

            var q = Heads(Linear(x, "query", l.Q, l.QBias, h, h), [0, 2, 1, 3]);
            var k = Heads(Linear(x, "key", l.K, l.KBias, h, h), [0, 2, 3, 1]);
            var v = Heads(Linear(x, "value", l.V, l.VBias, h, h), [0, 2, 1, 3]);
            var scores = g.Op("Add", g.Op("Mul", g.Op("MatMul", q, k), scale), maskBias);
            var probabilities = g.Op("Softmax", [scores], ("axis", -1));
            var context = g.Op("Reshape", g.Op("Transpose", [g.Op("MatMul", probabilities, v)], ("perm", new long[] { 0, 2, 1, 3 })), merge);
            x = LayerNorm(g, g.Op("Add", x, Linear(context, "attention_output", l.Out, l.OutBias, h, h)), n + ".attention", l.Norm1Scale, l.Norm1Bias);

            var up = Gelu(g, gelu, Linear(x, "intermediate", l.Up, l.UpBias, h, f));
            x = LayerNorm(g, g.Op("Add", x, Linear(up, "output", l.Down, l.DownBias, f, h)), n + ".output", l.Norm2Scale, l.Norm2Bias);
        }

        g.Node("Identity", [x], ["last_hidden_state"]);
        return g.ToModel("tiny_encoder");
    }

    private static string LayerNorm(OnnxGraph g, string x, string name, float[] scale, float[] bias) =>
        g.Op("LayerNormalization", [x, g.Floats(name + ".norm.scale", scale, scale.Length), g.Floats(name + ".norm.bias", bias, bias.Length)],
            ("axis", -1), ("epsilon", EncoderWeights.Epsilon));

    /// <summary>GELU's tanh form: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), which a test can compute with Math.Tanh.</summary>
    private static string Gelu(OnnxGraph g, GeluConstants c, string x)
    {
        var cube = g.Op("Mul", g.Op("Mul", x, x), x);
        var tanh = g.Op("Tanh", g.Op("Mul", g.Op("Add", x, g.Op("Mul", cube, c.Cube)), c.Scale));
        return g.Op("Mul", g.Op("Mul", x, g.Op("Add", tanh, "one")), c.Half);
    }

    private sealed record GeluConstants(string Cube, string Scale, string Half);
}

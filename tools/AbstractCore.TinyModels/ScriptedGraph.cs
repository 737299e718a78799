namespace AbstractCore.TinyModels;

/// <summary>
/// The scripted model's decoder, in the ONNX Runtime GenAI contract with one layer of one KV head of size 1 and a
/// Concat cache (past_present_share_buffer false), so a token costs a few floats however long the context:
/// <list type="bullet">
/// <item>the KV cache holds one number per position: 1 where the token is the tool-result marker, else 0
/// (<c>present = Concat(past, input_ids == &lt;|tool|&gt;)</c>), so it remembers across prefill, decode and rewinds
/// whether the conversation so far holds a tool result;</item>
/// <item><c>flag = ReduceMax(present)</c>; logits are row <c>input_ids + flag × vocab</c> of a [2 × vocab, vocab] table:
/// rows 0..vocab-1 are the next-token rule without a tool result, the rest the rule with one (20 on the next token).</item>
/// </list>
/// The prefill computes the flag over the whole prompt for every position; only the last position's logits are used.
/// No attention: nothing but the last token and the flag can change the output, which is the point of a script.
/// </summary>
internal static class ScriptedGraph
{
    private const string PastKey = "past_key_values.0.key";
    private const string PastValue = "past_key_values.0.value";
    private const string PresentKey = "present.0.key";
    private const string PresentValue = "present.0.value";

    public static byte[] Build(ScriptedVocabulary vocabulary)
    {
        var g = new OnnxGraph();
        var v = vocabulary.Size;
        g.Input("input_ids", OnnxGraph.Int64Type, "batch_size", "sequence_length");
        g.Input("attention_mask", OnnxGraph.Int64Type, "batch_size", "total_sequence_length");
        g.Input("position_ids", OnnxGraph.Int64Type, "batch_size", "sequence_length");
        g.Input(PastKey, OnnxGraph.FloatType, "batch_size", 1, "past_sequence_length", 1);
        g.Input(PastValue, OnnxGraph.FloatType, "batch_size", 1, "past_sequence_length", 1);
        g.Output("logits", OnnxGraph.FloatType, "batch_size", "sequence_length", v);
        g.Output(PresentKey, OnnxGraph.FloatType, "batch_size", 1, "total_sequence_length", 1);
        g.Output(PresentValue, OnnxGraph.FloatType, "batch_size", 1, "total_sequence_length", 1);

        // [batch, seq] → [batch, 1, seq, 1]: 1 at the marker, appended to the cache.
        var isMarker = g.Op("Equal", "input_ids", g.Int64s("tool_result_id", [ScriptedVocabulary.ToolResult]));
        var indicator = g.Op("Cast", [isMarker], ("to", OnnxGraph.FloatType));
        var perPosition = g.Op("Unsqueeze", indicator, g.Int64s("axes_1_3", [1, 3], 2));
        g.Node("Concat", [PastKey, perPosition], [PresentKey], null, ("axis", 2));
        g.Node("Concat", [PastValue, perPosition], [PresentValue], null, ("axis", 2));

        // flag ∈ {0, 1} per batch row → row offset flag × vocab for every position of that row.
        var flag = g.Op("ReduceMax", [PresentKey], ("axes", new long[] { 1, 2, 3 }), ("keepdims", 0));
        var offset = g.Op("Mul", g.Op("Cast", [flag], ("to", OnnxGraph.Int64Type)), g.Int64s("vocab_size", [v]));
        var rows = g.Op("Add", "input_ids", g.Op("Unsqueeze", offset, g.Int64s("axes_1", [1], 1)));

        var table = new float[2 * v * v];
        for (var t = 0; t < v; t++)
        {
            table[(t * v) + vocabulary.Next(t, sawToolResult: false)] = 20f;
            table[((v + t) * v) + vocabulary.Next(t, sawToolResult: true)] = 20f;
        }

        g.Node("Gather", [g.Floats("next_tables", table, 2 * v, v), rows], ["logits"]);
        return g.ToModel("scripted_decoder");
    }
}

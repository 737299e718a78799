using System.Text.Json.Nodes;

namespace AbstractCore.TinyModels;

/// <summary>Writes a complete ONNX Runtime GenAI model folder: genai_config.json, model.onnx and the tokenizer files.</summary>
public static class TinyModelWriter
{
    public static string Write(string folder, TinyModelSpec? spec = null)
    {
        spec ??= TinyModelSpec.Tiny;
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "model.onnx"), DecoderGraph.Build(spec));
        File.WriteAllText(Path.Combine(folder, "genai_config.json"), GenAIConfig(spec));
        File.WriteAllText(Path.Combine(folder, "tokenizer.json"), TokenizerFiles.TokenizerJson());
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), TokenizerFiles.TokenizerConfigJson(spec.ContextLength));
        return folder;
    }

    /// <summary>genai_config.json for a llama-type decoder of these sizes; <paramref name="shareBuffer"/> is false for a
    /// graph whose present is Concat(past, new) rather than a preallocated buffer the graph writes into.</summary>
    internal static string GenAIConfig(TinyModelSpec spec, int vocabSize = TinyVocabulary.Size, bool shareBuffer = true) => new JsonObject
    {
        ["model"] = new JsonObject
        {
            ["type"] = spec.ModelType,
            ["bos_token_id"] = TinyVocabulary.Bos,
            ["eos_token_id"] = new JsonArray(TinyVocabulary.Eos, TinyVocabulary.End),
            ["pad_token_id"] = TinyVocabulary.Eos,
            ["vocab_size"] = vocabSize,
            ["context_length"] = spec.ContextLength,
            ["decoder"] = new JsonObject
            {
                ["filename"] = "model.onnx",
                ["hidden_size"] = spec.Hidden,
                ["num_attention_heads"] = spec.Heads,
                ["num_key_value_heads"] = spec.KvHeads,
                ["num_hidden_layers"] = spec.Layers,
                ["head_size"] = spec.HeadSize,
                ["session_options"] = new JsonObject { ["log_id"] = "onnxruntime-genai", ["provider_options"] = new JsonArray() },
                ["inputs"] = new JsonObject
                {
                    ["input_ids"] = "input_ids", ["attention_mask"] = "attention_mask", ["position_ids"] = "position_ids",
                    ["past_key_names"] = "past_key_values.%d.key", ["past_value_names"] = "past_key_values.%d.value",
                },
                ["outputs"] = new JsonObject
                {
                    ["logits"] = "logits", ["present_key_names"] = "present.%d.key", ["present_value_names"] = "present.%d.value",
                },
            },
        },
        ["search"] = new JsonObject
        {
            ["do_sample"] = false, ["early_stopping"] = true, ["max_length"] = spec.ContextLength, ["min_length"] = 0,
            ["num_beams"] = 1, ["num_return_sequences"] = 1, ["past_present_share_buffer"] = shareBuffer,
            ["repetition_penalty"] = 1.0, ["temperature"] = 1.0, ["top_k"] = 1, ["top_p"] = 1.0,
        },
    }.ToJsonString();
}

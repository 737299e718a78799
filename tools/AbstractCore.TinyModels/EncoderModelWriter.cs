using System.Text.Json.Nodes;

namespace AbstractCore.TinyModels;

/// <summary>
/// Writes a sentence-embedding model folder the way <c>optimum-cli export onnx --task feature-extraction</c> leaves a
/// sentence-transformers model: <c>model.onnx</c>, <c>config.json</c>, the tokenizer files and, from the sentence-transformers
/// repository, <c>modules.json</c>, <c>sentence_bert_config.json</c> and <c>1_Pooling/config.json</c> (mean pooling).
/// The weights come from <see cref="EncoderWeights.For"/>, so a test knows every vector the model gives.
/// </summary>
public static class EncoderModelWriter
{
    public static string Write(string folder, EncoderSpec? spec = null)
    {
        spec ??= EncoderSpec.Tiny;
        Directory.CreateDirectory(Path.Combine(folder, "1_Pooling"));
        File.WriteAllBytes(Path.Combine(folder, "model.onnx"), EncoderGraph.Build(spec, EncoderWeights.For(spec)));
        Json(folder, "config.json", new JsonObject
        {
            ["model_type"] = "bert", ["architectures"] = new JsonArray("BertModel"), ["hidden_size"] = spec.Hidden,
            ["num_hidden_layers"] = spec.Layers, ["num_attention_heads"] = spec.Heads, ["intermediate_size"] = spec.Intermediate,
            ["max_position_embeddings"] = spec.MaxLength, ["vocab_size"] = spec.VocabSize, ["type_vocab_size"] = 2, ["hidden_act"] = "gelu_new",
        });
        Json(folder, "sentence_bert_config.json", new JsonObject { ["max_seq_length"] = spec.MaxLength, ["do_lower_case"] = false });
        Json(folder, Path.Combine("1_Pooling", "config.json"), new JsonObject
        {
            ["word_embedding_dimension"] = spec.Hidden, ["pooling_mode_cls_token"] = false, ["pooling_mode_mean_tokens"] = true,
            ["pooling_mode_max_tokens"] = false, ["pooling_mode_mean_sqrt_len_tokens"] = false,
        });
        var modules = new JsonArray(Module(0, "", "Transformer"), Module(1, "1_Pooling", "Pooling"));
        if (spec.Normalize)
        {
            modules.Add(Module(2, "2_Normalize", "Normalize"));
        }

        File.WriteAllText(Path.Combine(folder, "modules.json"), modules.ToJsonString());
        if (spec.Matryoshka)
        {
            Json(folder, "embedding_config.json", new JsonObject { ["matryoshka"] = true });
        }

        WriteTokenizer(folder, spec);
        return folder;
    }

    private static void WriteTokenizer(string folder, EncoderSpec spec)
    {
        switch (spec.Tokenizer)
        {
            case EncoderTokenizer.ByteLevelBpe:
                File.WriteAllText(Path.Combine(folder, "tokenizer.json"), TokenizerFiles.TokenizerJson());
                return;
            case EncoderTokenizer.VocabTxt:
                File.WriteAllLines(Path.Combine(folder, "vocab.txt"), EncoderVocabulary.Tokens);
                break;
            default:
                File.WriteAllText(Path.Combine(folder, "tokenizer.json"), WordPieceJson());
                break;
        }

        Json(folder, "tokenizer_config.json", new JsonObject
        {
            ["tokenizer_class"] = "BertTokenizer", ["do_lower_case"] = true, ["model_max_length"] = 512,
            ["cls_token"] = EncoderVocabulary.Cls, ["sep_token"] = EncoderVocabulary.Sep, ["pad_token"] = EncoderVocabulary.Pad,
            ["unk_token"] = EncoderVocabulary.Unknown, ["mask_token"] = EncoderVocabulary.Mask,
        });
    }

    /// <summary>The HF tokenizers file of a BERT WordPiece model, as all-MiniLM-L6-v2 ships it (TemplateProcessing adds [CLS] … [SEP]).</summary>
    private static string WordPieceJson()
    {
        var vocab = new JsonObject();
        var added = new JsonArray();
        foreach (var (token, id) in EncoderVocabulary.Tokens.Select((t, i) => (t, i)))
        {
            vocab[token] = id;
            if (token.StartsWith('[') && token.EndsWith(']'))
            {
                added.Add(new JsonObject
                {
                    ["id"] = id, ["content"] = token, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["special"] = true,
                });
            }
        }

        JsonObject Special(string token) => new() { ["SpecialToken"] = new JsonObject { ["id"] = token, ["type_id"] = 0 } };
        JsonObject SpecialIds(string token) => new()
        {
            ["id"] = token, ["ids"] = new JsonArray(EncoderVocabulary.Id(token)), ["tokens"] = new JsonArray(token),
        };
        return new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = added,
            ["normalizer"] = new JsonObject
            {
                ["type"] = "BertNormalizer", ["clean_text"] = true, ["handle_chinese_chars"] = true, ["strip_accents"] = null, ["lowercase"] = true,
            },
            ["pre_tokenizer"] = new JsonObject { ["type"] = "BertPreTokenizer" },
            ["post_processor"] = new JsonObject
            {
                ["type"] = "TemplateProcessing",
                ["single"] = new JsonArray(Special(EncoderVocabulary.Cls), new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } },
                    Special(EncoderVocabulary.Sep)),
                ["special_tokens"] = new JsonObject
                {
                    [EncoderVocabulary.Cls] = SpecialIds(EncoderVocabulary.Cls), [EncoderVocabulary.Sep] = SpecialIds(EncoderVocabulary.Sep),
                },
            },
            ["decoder"] = new JsonObject { ["type"] = "WordPiece", ["prefix"] = "##", ["cleanup"] = true },
            ["model"] = new JsonObject
            {
                ["type"] = "WordPiece", ["unk_token"] = EncoderVocabulary.Unknown, ["continuing_subword_prefix"] = "##",
                ["max_input_chars_per_word"] = 100, ["vocab"] = vocab,
            },
        }.ToJsonString();
    }

    private static JsonObject Module(int index, string path, string type) => new()
    {
        ["idx"] = index, ["name"] = index.ToString(System.Globalization.CultureInfo.InvariantCulture), ["path"] = path,
        ["type"] = "sentence_transformers.models." + type,
    };

    private static void Json(string folder, string file, JsonNode node) => File.WriteAllText(Path.Combine(folder, file), node.ToJsonString());
}

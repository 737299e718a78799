using System.Text.Json.Nodes;

namespace AbstractCore.TinyModels;

/// <summary>
/// tokenizer.json (a GPT-2 byte-level BPE without merges: one token per UTF-8 byte) and tokenizer_config.json
/// (special tokens and the chat template), as ONNX Runtime GenAI's built-in tokenizer reads them.
/// </summary>
internal static class TokenizerFiles
{
    /// <summary>
    /// Each turn is <c>&lt;|role|&gt;content&lt;|end|&gt;</c>. A final assistant turn is left open (no end marker,
    /// no new assistant marker) so the model continues it: that is how tests get request-specific outputs.
    /// </summary>
    public const string ChatTemplate =
        "{% for message in messages %}" +
        "{% if message['role'] == 'system' %}<|system|>{% elif message['role'] == 'assistant' %}<|assistant|>{% else %}<|user|>{% endif %}" +
        "{{ message['content'] }}" +
        "{% if not (loop.last and message['role'] == 'assistant') %}<|end|>{% endif %}" +
        "{% endfor %}" +
        "{% if add_generation_prompt and messages[-1]['role'] != 'assistant' %}<|assistant|>{% endif %}";

    /// <summary>
    /// The byte-level BPE. <paramref name="specials"/> (default: <see cref="TinyVocabulary.Specials"/>) are added tokens
    /// that a prompt's text encodes to; <paramref name="pieces"/> are plain multi-byte vocabulary entries: with no merges,
    /// no text ever encodes to them, but they decode to their bytes, so a model can emit a whole piece as one token.
    /// </summary>
    public static string TokenizerJson(IReadOnlyList<(int Id, string Text)>? specials = null, IReadOnlyList<(int Id, string Text)>? pieces = null)
    {
        var vocab = new JsonObject();
        var byteChars = ByteLevelAlphabet();
        for (var b = 0; b < 256; b++)
        {
            vocab[byteChars[b]] = b;
        }

        var added = new JsonArray();
        foreach (var (id, text) in specials ?? TinyVocabulary.Specials)
        {
            vocab[text] = id;
            added.Add(new JsonObject
            {
                ["id"] = id, ["content"] = text, ["single_word"] = false, ["lstrip"] = false,
                ["rstrip"] = false, ["normalized"] = false, ["special"] = true,
            });
        }

        foreach (var (id, text) in pieces ?? [])
        {
            var key = string.Concat(System.Text.Encoding.UTF8.GetBytes(text).Select(b => byteChars[b]));
            if (!vocab.TryAdd(key, id))
            {
                throw new ArgumentException($"The piece '{text}' is already in the vocabulary.", nameof(pieces));
            }
        }

        JsonObject ByteLevel() => new() { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = true };
        return new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = added,
            ["normalizer"] = null,
            ["pre_tokenizer"] = ByteLevel(),
            ["post_processor"] = null,
            ["decoder"] = ByteLevel(),
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["continuing_subword_prefix"] = "",
                ["end_of_word_suffix"] = "", ["fuse_unk"] = false, ["byte_fallback"] = false,
                ["vocab"] = vocab, ["merges"] = new JsonArray(),
            },
        }.ToJsonString();
    }

    public static string TokenizerConfigJson(int contextLength, string chatTemplate = ChatTemplate, IReadOnlyList<(int Id, string Text)>? specials = null)
    {
        var decoder = new JsonObject();
        foreach (var (id, text) in specials ?? TinyVocabulary.Specials)
        {
            decoder[id.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new JsonObject
            {
                ["content"] = text, ["lstrip"] = false, ["normalized"] = false, ["rstrip"] = false, ["single_word"] = false, ["special"] = true,
            };
        }

        return new JsonObject
        {
            ["tokenizer_class"] = "GPT2Tokenizer",
            ["bos_token"] = "<|bos|>",
            ["eos_token"] = "<|eos|>",
            ["pad_token"] = "<|eos|>",
            ["add_bos_token"] = false,
            ["add_eos_token"] = false,
            ["model_max_length"] = contextLength,
            ["clean_up_tokenization_spaces"] = false,
            ["chat_template"] = chatTemplate,
            ["added_tokens_decoder"] = decoder,
        }.ToJsonString();
    }

    /// <summary>GPT-2's bytes_to_unicode: printable bytes map to themselves, the rest to code points from 256 up.</summary>
    private static string[] ByteLevelAlphabet()
    {
        var chars = new string[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            chars[b] = char.ConvertFromUtf32(printable ? b : next++);
        }

        return chars;
    }
}

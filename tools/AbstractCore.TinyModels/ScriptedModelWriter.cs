namespace AbstractCore.TinyModels;

/// <summary>
/// Writes the scripted tool-calling model: a real ONNX Runtime GenAI model folder whose greedy output is a fixed
/// script (<see cref="ScriptedModelSpec"/>): a tool call (as <c>&lt;tool_call&gt;</c> text) for a conversation without a
/// tool result, the final answer for one with a tool result. It is what an agent's loop needs end to end (call a tool,
/// send its result back, read the answer) on the real engine, with outputs known in advance.
/// Why it is built this way:
/// <list type="bullet">
/// <item>each script piece is one multi-byte vocabulary entry no text encodes to (no merges), so a bigram table can
/// chain unique tokens while the prompt stays plain bytes and specials;</item>
/// <item>the switch between the two scripts is the tool-result marker <c>&lt;|tool|&gt;</c>, a special token only the chat
/// template writes (before each <c>tool</c> message), carried by the KV cache (<see cref="ScriptedGraph"/>);</item>
/// <item>the chat template names the offered tools (their names only, to keep prompts short), so a service that
/// requires a tool-aware template accepts <c>tools</c>;</item>
/// <item>a large context (262144) with a one-float-per-token cache: an agent's prompt is long.</item>
/// </list>
/// </summary>
public static class ScriptedModelWriter
{
    /// <summary>
    /// Turns are <c>&lt;|role|&gt;content&lt;|end|&gt;</c>, a tool result's role marker is <c>&lt;|tool|&gt;</c>; the offered
    /// tools' names come first, in a system turn.
    /// </summary>
    public const string ChatTemplate =
        "{% if tools %}<|system|>Tools:{% for tool in tools %} " +
        "{% if tool['function'] is defined %}{{ tool['function']['name'] }}{% else %}{{ tool['name'] }}{% endif %}" +
        "{% endfor %}<|end|>{% endif %}" +
        "{% for message in messages %}" +
        "{% if message['role'] == 'system' %}<|system|>{% elif message['role'] == 'assistant' %}<|assistant|>" +
        "{% elif message['role'] == 'tool' %}<|tool|>{% else %}<|user|>{% endif %}" +
        "{% if message['content'] %}{{ message['content'] }}{% endif %}<|end|>" +
        "{% endfor %}" +
        "{% if add_generation_prompt %}<|assistant|>{% endif %}";

    public static string Write(string folder, ScriptedModelSpec? spec = null)
    {
        spec ??= ScriptedModelSpec.Default;
        var vocabulary = new ScriptedVocabulary(spec);
        var sizes = new TinyModelSpec(Layers: 1, Hidden: 1, Heads: 1, KvHeads: 1, ContextLength: spec.ContextLength);
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "model.onnx"), ScriptedGraph.Build(vocabulary));
        File.WriteAllText(Path.Combine(folder, "genai_config.json"), TinyModelWriter.GenAIConfig(sizes, vocabulary.Size, shareBuffer: false));
        File.WriteAllText(Path.Combine(folder, "tokenizer.json"), TokenizerFiles.TokenizerJson(ScriptedVocabulary.Specials, vocabulary.Pieces));
        File.WriteAllText(
            Path.Combine(folder, "tokenizer_config.json"),
            TokenizerFiles.TokenizerConfigJson(spec.ContextLength, ChatTemplate, ScriptedVocabulary.Specials));
        return folder;
    }
}

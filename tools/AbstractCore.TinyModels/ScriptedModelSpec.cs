using System.Text;

namespace AbstractCore.TinyModels;

/// <summary>
/// What the scripted tool-calling model (<see cref="ScriptedModelWriter"/>) says. A conversation without a tool result
/// is answered with one call to <see cref="ToolName"/> with <see cref="ArgumentsJson"/>, written as text in the
/// <c>&lt;tool_call&gt;</c> syntax (<see cref="ToolCallText"/>), which the gateway turns into a structured call when the
/// client offered tools; a conversation holding a tool result is answered with <see cref="FinalAnswer"/>. Then EOS.
/// </summary>
/// <param name="ToolName">The tool the model calls (default: Claude Code's <c>Bash</c>).</param>
/// <param name="ArgumentsJson">The call's arguments, a JSON object, emitted byte for byte as given.</param>
/// <param name="FinalAnswer">The answer once a tool result is in the conversation.</param>
/// <param name="ContextLength">Large by default: an agent's prompt (system text, tool list) is long and byte-level.</param>
public sealed record ScriptedModelSpec(
    string ToolName = "Bash",
    string ArgumentsJson = """{"command":"echo scripted-tool-ran"}""",
    string FinalAnswer = "The tool said: done.",
    int ContextLength = 262144)
{
    public static ScriptedModelSpec Default { get; } = new();

    /// <summary>The exact text of the tool-call turn (before the gateway parses it).</summary>
    public string ToolCallText => string.Concat(ToolCallPieces);

    /// <summary>The tool-call turn, token by token: each piece is one vocabulary entry of its own.</summary>
    public IReadOnlyList<string> ToolCallPieces =>
        ["<tool_call>\n", $"{{\"name\": \"{ToolName}\", ", $"\"arguments\": {ArgumentsJson}", "}\n</tool_call>"];

    /// <summary>
    /// The final answer, token by token: a word each (with its leading space). A word that is one byte, or that came
    /// already, joins the piece before it, so each piece is unique and never a single byte (those ids are the bytes').
    /// </summary>
    public IReadOnlyList<string> AnswerPieces
    {
        get
        {
            var pieces = new List<string>();
            foreach (var word in Words(FinalAnswer))
            {
                if (pieces.Count > 0 && (Encoding.UTF8.GetByteCount(pieces[^1]) < 2 || Encoding.UTF8.GetByteCount(word) < 2 || pieces.Contains(word)))
                {
                    pieces[^1] += word;
                }
                else
                {
                    pieces.Add(word);
                }
            }

            return pieces;
        }
    }

    private static IEnumerable<string> Words(string text)
    {
        var start = 0;
        for (var i = 1; i <= text.Length; i++)
        {
            if (i == text.Length || (text[i] == ' ' && text[i - 1] != ' '))
            {
                yield return text[start..i];
                start = i;
            }
        }
    }
}

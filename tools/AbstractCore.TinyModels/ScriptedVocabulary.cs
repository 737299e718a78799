namespace AbstractCore.TinyModels;

/// <summary>
/// The scripted model's vocabulary: <see cref="TinyVocabulary"/>'s bytes and specials, then the tool-result marker
/// <c>&lt;|tool|&gt;</c> (a special token the chat template writes before each tool result), then one entry per script
/// piece (the tool call's, then the answer's). Its greedy rule: the assistant marker starts the tool-call script, or
/// the answer script when the conversation holds a tool result; each piece is followed by the next, the last by EOS.
/// </summary>
internal sealed class ScriptedVocabulary
{
    public const int ToolResult = TinyVocabulary.Size;
    private const int FirstPiece = ToolResult + 1;

    public ScriptedVocabulary(ScriptedModelSpec spec)
    {
        ToolCall = [.. spec.ToolCallPieces.Select((_, i) => FirstPiece + i)];
        Answer = [.. spec.AnswerPieces.Select((_, i) => FirstPiece + ToolCall.Length + i)];
        Pieces = [.. spec.ToolCallPieces.Concat(spec.AnswerPieces).Select((text, i) => (FirstPiece + i, text))];
        Size = FirstPiece + Pieces.Count;
    }

    public static IReadOnlyList<(int Id, string Text)> Specials { get; } = [.. TinyVocabulary.Specials, (ToolResult, "<|tool|>")];

    /// <summary>The script pieces and their ids, in id order.</summary>
    public IReadOnlyList<(int Id, string Text)> Pieces { get; }

    public int[] ToolCall { get; }

    public int[] Answer { get; }

    public int Size { get; }

    /// <summary>The greedy next token after <paramref name="token"/>, with or without a tool result in the conversation.</summary>
    public int Next(int token, bool sawToolResult)
    {
        if (token == TinyVocabulary.Assistant)
        {
            return sawToolResult ? Answer[0] : ToolCall[0];
        }

        foreach (var script in (int[][])[ToolCall, Answer])
        {
            var at = Array.IndexOf(script, token);
            if (at >= 0)
            {
                return at + 1 < script.Length ? script[at + 1] : TinyVocabulary.Eos;
            }
        }

        return TinyVocabulary.Eos;
    }
}

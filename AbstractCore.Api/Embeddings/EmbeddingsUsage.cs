using System.Text.Json;
using System.Text.Json.Nodes;
using AbstractCore.Api.Media;
using AbstractCore.Embeddings;
using AbstractCore.Messages;
using AbstractCore.Spend;

namespace AbstractCore.Api.Embeddings;

/// <summary>What an embeddings call costs: the upstream's <c>usage.prompt_tokens</c> (or <c>total_tokens</c>); when it
/// reports none (an OpenAI-compatible server without usage, Ollama without <c>prompt_eval_count</c>, which the client
/// sees as 0), the input counted as <c>count_tokens</c> estimates it, about four characters a token.</summary>
internal static class EmbeddingsUsage
{
    public static Usage Of(ReadOnlySpan<byte> answer, EmbeddingRequest request) =>
        AnswerUsage.Scan(answer).Usage is { } usage && AnswerUsage.Read(usage) is { InputTokens: > 0 } reported
            ? new Usage { InputTokens = reported.InputTokens }
            : new Usage { InputTokens = TokenEstimate.OfChars(Chars(request.Input)), Estimated = true };

    /// <summary>The input's characters: a string, or an array of strings (what <see cref="EmbeddingRequest"/> accepts).</summary>
    private static long Chars(JsonNode input) => input.GetValueKind() == JsonValueKind.Array
        ? input.AsArray().Sum(i => (long)(i?.GetValue<string>().Length ?? 0))
        : input.GetValue<string>().Length;
}

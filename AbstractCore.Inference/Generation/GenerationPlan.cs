namespace AbstractCore.Inference.Generation;

/// <summary>What to generate: the prompt's tokens and the request's limits and options.</summary>
internal sealed record GenerationPlan(int[] Prompt, int MaxTokens, IReadOnlyList<string> Stop, SamplingOptions Sampling, string? CacheKey);

/// <summary>What was generated. <see cref="CompletionTokens"/> counts every generated token, the final EOS included.</summary>
internal sealed record GenerationResult(string Text, int PromptTokens, int CompletionTokens, int CachedTokens, string FinishReason)
{
    public const string Stop = "stop";
    public const string Length = "length";
    public const string Cancelled = "cancelled";
}

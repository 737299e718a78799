namespace AbstractCore.Spend;

/// <summary>
/// What one request consumed, as the upstream reported it (or, for a stream the client abandoned, as counted from what
/// arrived: <see cref="Estimated"/>). One shape for every route that costs money: tokens for chat, Responses, messages
/// and embeddings; images; audio seconds; speech characters.
/// </summary>
public sealed record Usage
{
    public long InputTokens { get; init; }

    public long OutputTokens { get; init; }

    /// <summary>Of <see cref="InputTokens"/>, those the upstream read from its prompt cache (priced at the cached rate).</summary>
    public long CachedInputTokens { get; init; }

    public int Images { get; init; }

    public double AudioSeconds { get; init; }

    /// <summary>Input characters of text-to-speech.</summary>
    public long Characters { get; init; }

    /// <summary>Counted by the gateway from what arrived, not reported by the upstream.</summary>
    public bool Estimated { get; init; }

    public long TotalTokens => InputTokens + OutputTokens;

    public static Usage None { get; } = new();
}

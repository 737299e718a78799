namespace AbstractCore.Chat.Forwarding;

/// <summary>What the gateway needs to know of a relayed answer (telemetry, the finish-reason rule): read while it passes.</summary>
public sealed class ChatAnswerFacts
{
    public string? Id { get; internal set; }

    public long Created { get; internal set; }

    /// <summary>The model the upstream says answered (its own name).</summary>
    public string? Model { get; internal set; }

    public string? FinishReason { get; internal set; }

    public bool SawToolCalls { get; internal set; }

    public long? InputTokens { get; internal set; }

    public long? OutputTokens { get; internal set; }

    public long? CachedInputTokens { get; internal set; }
}

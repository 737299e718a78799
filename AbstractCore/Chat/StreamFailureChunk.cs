using AbstractCore.OpenAI.Chat;

namespace AbstractCore.Chat;

/// <summary>How a chat stream that broke after its first byte ends: one chunk whose finish reason is <c>error</c> and
/// which carries the error, then no <c>[DONE]</c> (the answer is incomplete).</summary>
public static class StreamFailureChunk
{
    public const string FinishReason = "error";

    public static ChatCompletionChunk Create(string? id, long created, string model, GatewayException failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return new ChatCompletionChunk
        {
            Id = id ?? ChatCompletionMapper.NewId(),
            Created = created != 0 ? created : DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            Model = model,
            Choices = [new ChunkChoice { Delta = new ChunkDelta(), FinishReason = FinishReason }],
            Error = failure.ToEnvelope().Error,
        };
    }
}

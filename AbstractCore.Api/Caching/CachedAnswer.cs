using System.ComponentModel;

namespace AbstractCore.Api.Caching;

/// <summary>
/// A complete successful answer as the client received it: a JSON body, or a stream's SSE frames as they were sent
/// (<see cref="SseFrames"/> splits them again to replay). Immutable, so HybridCache's L1 hands out the one instance
/// rather than a copy per hit.
/// </summary>
[ImmutableObject(true)]
internal sealed class CachedAnswer(string contentType, bool stream, DateTimeOffset storedAt, byte[] body)
{
    public string ContentType { get; } = contentType;

    public bool Stream { get; } = stream;

    /// <summary>When it was stored: a request whose TTL is shorter than the entry's age does not take it.</summary>
    public DateTimeOffset StoredAt { get; } = storedAt;

    public byte[] Body { get; } = body;
}

using System.Text.Json;

namespace AbstractCore.Pipeline;

/// <summary>The server settings a <see cref="ChatPlanner"/> applies, handed in by the host from its own settings.</summary>
/// <param name="UpstreamTimeout">The server's upstream deadline (<c>ABSTRACTCORE_UPSTREAM_TIMEOUT_S</c>).</param>
/// <param name="AllowUnsafeUnloadAfter">Whether <c>unload_after</c> may unload a shared server's model
/// (<c>ABSTRACTCORE_ALLOW_UNSAFE_UNLOAD_AFTER</c>).</param>
public sealed record ChatPlanSettings(TimeSpan UpstreamTimeout, bool AllowUnsafeUnloadAfter)
{
    /// <summary>
    /// The upstream deadline for one request: its <c>timeout_s</c> (capped at 12× the server's), none when that is 0 or
    /// less (the original's "unlimited": the client chose to wait, and can still cancel), else the server's.
    /// </summary>
    public TimeSpan TimeoutFor(IReadOnlyDictionary<string, JsonElement>? extra) =>
        extra?.TryGetValue("timeout_s", out var t) == true && t.ValueKind == JsonValueKind.Number && t.TryGetDouble(out var seconds)
            ? seconds > 0 ? TimeSpan.FromSeconds(Math.Min(seconds, UpstreamTimeout.TotalSeconds * 12)) : Timeout.InfiniteTimeSpan
            : UpstreamTimeout;
}

namespace AbstractCore.Providers;

/// <summary>Keeps a provider key out of what the gateway says back: some upstreams quote the key they were sent in
/// their error messages, and those messages are passed on to clients and logs.</summary>
public static class KeyScrubbing
{
    public const string Mask = "[REDACTED]";

    /// <summary>The message with every occurrence of <paramref name="key"/> masked.</summary>
    public static string Scrub(string message, string? key) =>
        string.IsNullOrEmpty(key) || !message.Contains(key, StringComparison.Ordinal) ? message : message.Replace(key, Mask, StringComparison.Ordinal);

    /// <summary>The failure, or a copy of it whose message no longer quotes <paramref name="key"/>.</summary>
    public static GatewayException Scrub(GatewayException failure, string? key) =>
        Scrub(failure.Message, key) is var message && ReferenceEquals(message, failure.Message)
            ? failure
            : new GatewayException(failure.Status, message, failure.Type, failure.Param, failure.Code) { Headers = failure.Headers };
}

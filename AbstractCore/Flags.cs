namespace AbstractCore;

/// <summary>The original's boolean rule: <c>1|true|yes|on</c>, trimmed, any case.</summary>
public static class Flags
{
    public static bool IsOn(string? value) =>
        value?.Trim().ToLowerInvariant() is "1" or "true" or "yes" or "on";
}

using System.Globalization;

namespace AbstractCore.Api.Keys.Limits;

/// <summary>The limiter's timings; the defaults are production's, tests shorten them.</summary>
internal sealed record KeyLimitOptions
{
    /// <summary>Milliseconds of a rate window (internal: tests shorten it; every replica must use the same).</summary>
    public const string WindowSetting = "ABSTRACTCORE_KEY_LIMITS_WINDOW_MS";

    /// <summary>Milliseconds between two pushes of the counts made here to Redis (internal: tests shorten it).</summary>
    public const string SyncSetting = "ABSTRACTCORE_KEY_LIMITS_SYNC_MS";

    /// <summary>Milliseconds a request may wait for a lease before local limits decide (a slow Redis, a loaded machine).</summary>
    public const string FetchWaitSetting = "ABSTRACTCORE_KEY_LIMITS_FETCH_WAIT_MS";

    public const string RedisPrefix = "abstractcore:limits:";

    /// <summary>RPM and TPM count over this window, anchored at its first request.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How often tokens and outage counts go to Redis, other replicas' tokens are read, and Redis is probed
    /// while away.</summary>
    public TimeSpan SyncInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The longest a request waits for a lease (only when this replica's is empty), then it is decided by local limits.
    /// Well under the client's 2 s Redis timeout: an outage costs a request this much once, not two seconds each.
    /// </summary>
    public TimeSpan FetchWait { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>A key unused for this many windows is forgotten (its counts have expired anyway).</summary>
    public int IdleWindows { get; init; } = 3;

    public static KeyLimitOptions From(IConfiguration? configuration) => new()
    {
        Window = Milliseconds(configuration?[WindowSetting]) ?? TimeSpan.FromMinutes(1),
        SyncInterval = Milliseconds(configuration?[SyncSetting]) ?? TimeSpan.FromSeconds(1),
        FetchWait = Milliseconds(configuration?[FetchWaitSetting]) ?? TimeSpan.FromMilliseconds(250),
    };

    private static TimeSpan? Milliseconds(string? value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms >= 10 ? TimeSpan.FromMilliseconds(ms) : null;
}

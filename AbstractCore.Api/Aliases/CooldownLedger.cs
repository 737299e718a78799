using System.Collections.Concurrent;
using System.Diagnostics;
using AbstractCore.Aliases;

namespace AbstractCore.Api.Aliases;

/// <summary>
/// This replica's own cooldowns and when they end, as its circuits reported them (<see cref="ICooldownShare.Publish"/>):
/// Polly's breaker does not say how long it stays open, and <c>/health</c> and the metrics show the time left. Alone
/// (no Redis) this is the whole share; <see cref="RedisCooldowns"/> also tells the other replicas.
/// </summary>
internal class CooldownLedger : ICooldownShare
{
    private readonly ConcurrentDictionary<string, long> _until = new(StringComparer.Ordinal); // Stopwatch ticks

    public virtual void Publish(DeploymentState deployment, TimeSpan left)
    {
        if (left > TimeSpan.Zero)
        {
            _until[deployment.Key] = Stopwatch.GetTimestamp() + (long)(left.TotalSeconds * Stopwatch.Frequency);
        }
        else
        {
            _until.TryRemove(deployment.Key, out _);
        }
    }

    /// <summary>When this replica's cooldown of <paramref name="key"/> ends (Stopwatch ticks); 0 when its circuit is closed.</summary>
    public long Until(string key) => _until.GetValueOrDefault(key);

    /// <summary>How long the deployment still cools down, and whether by this replica's circuit or another's.</summary>
    public (string Source, TimeSpan Left)? Cooling(DeploymentState deployment) => deployment.CoolingSource switch
    {
        "local" => ("local", Left(Until(deployment.Key))),
        "shared" => ("shared", deployment.SharedCoolingLeft),
        _ => null,
    };

    /// <summary>The time from now to <paramref name="until"/> (Stopwatch ticks); zero once passed.</summary>
    public static TimeSpan Left(long until) =>
        until == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), until) is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero;
}

using System.Diagnostics;

namespace AbstractCore.Upstream;

/// <summary>
/// A stream's deadline per silence: pushed back as data keeps coming, at most once a second, so a stream of many small
/// chunks does not reset a timer for each (the silence allowed is between the timeout less a second and the timeout).
/// </summary>
public sealed class IdleDeadline(CancellationTokenSource deadline, TimeSpan timeout)
{
    private long _lastReset = Stopwatch.GetTimestamp();

    /// <summary>Data arrived.</summary>
    public void Touch()
    {
        var now = Stopwatch.GetTimestamp();
        if (now - _lastReset > Stopwatch.Frequency)
        {
            deadline.CancelAfter(timeout);
            _lastReset = now;
        }
    }
}

using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace AbstractCore.Upstream;

/// <summary>
/// A stream's deadline per silence: set to the timeout by the first data (until then the call's first-byte deadline
/// holds), then pushed back as data keeps coming, at most once a second (a quarter of the timeout when that is shorter),
/// so a stream of many small chunks does not reset a timer for each; the silence allowed after the last data is at least
/// three quarters of the timeout.
/// </summary>
public sealed class IdleDeadline(CancellationTokenSource deadline, TimeSpan timeout)
{
    // No deadline (timeout_s ≤ 0): never reset.
    private readonly long _resetEvery = timeout == Timeout.InfiniteTimeSpan
        ? long.MaxValue
        : Math.Min(Stopwatch.Frequency, (long)(timeout.TotalSeconds * Stopwatch.Frequency / 4));
    private long _lastReset;

    /// <summary>Data arrived.</summary>
    public void Touch()
    {
        var now = Stopwatch.GetTimestamp();
        if (_lastReset == 0 || now - _lastReset >= _resetEvery)
        {
            deadline.CancelAfter(timeout);
            _lastReset = now;
        }
    }

    /// <summary>
    /// The upstream's items, touching the deadline as each arrives: for translated streams, whose client-side items
    /// (agent formats hold text back) are not the upstream's.
    /// </summary>
    public async IAsyncEnumerable<T> Watch<T>(IAsyncEnumerable<T> items, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var item in items.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            Touch();
            yield return item;
        }
    }
}

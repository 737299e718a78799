namespace AbstractCore.Inference.Generation;

/// <summary>
/// The one beat all streamed answers write on (<see cref="InferenceSettings.StreamInterval"/>). Streams that wait share the
/// same tick, so concurrent answers leave together: the writer, and the gateway and clients reading behind it, wake once
/// an interval rather than once an interval per stream, and leave the cores to the model in between. The timer runs only
/// while some stream waits.
/// </summary>
internal sealed class StreamClock(InferenceSettings settings, TimeProvider time) : IDisposable
{
    private readonly Lock _gate = new();
    private ITimer? _timer;
    private TaskCompletionSource? _next;

    /// <summary>Completes at the next tick; at once when the interval is zero.</summary>
    public Task NextTickAsync()
    {
        var interval = settings.StreamInterval;
        if (interval <= TimeSpan.Zero)
        {
            return Task.CompletedTask;
        }

        lock (_gate)
        {
            if (_next is null)
            {
                _next = new TaskCompletionSource();
                _timer ??= time.CreateTimer(static clock => ((StreamClock)clock!).Tick(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                _timer.Change(interval, Timeout.InfiniteTimeSpan);
            }

            return _next.Task;
        }
    }

    /// <summary>
    /// Releases every waiting stream on the timer's thread, one after the other (each writes, flushes and waits for the
    /// next tick, which the first of them arms), instead of queueing a work item per stream.
    /// </summary>
    private void Tick()
    {
        TaskCompletionSource? due;
        lock (_gate)
        {
            due = _next;
            _next = null;
        }

        due?.TrySetResult();
    }

    public void Dispose() => _timer?.Dispose();
}

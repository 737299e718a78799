using System.Diagnostics;
using System.IO.Pipelines;

namespace AbstractCore.Api.Messages;

/// <summary>
/// Anthropic's keep-alive for Messages streams: while the upstream stays silent a <c>ping</c> goes out every
/// <see cref="Interval"/> (ABSTRACTCORE_MESSAGES_PING_S, default 10 s; 0 turns pings off).
/// </summary>
internal sealed class MessagesPing(TimeSpan interval)
{
    public TimeSpan Interval { get; } = interval;

    /// <summary>One stream's waits.</summary>
    public Waits Start() => new(Interval);

    /// <summary>
    /// The next update of one stream: what was written is flushed only when the next update is not there yet (as
    /// <see cref="Hosting.EventStream.NextAsync"/>); a wait that is not over at once races one timer, kept across
    /// waits, that fires a ping only when nothing has gone out for the whole interval.
    /// </summary>
    internal sealed class Waits(TimeSpan interval)
    {
        private long _lastWrite = Stopwatch.GetTimestamp();
        private Task? _timer;

        /// <param name="started">Whether the stream's headers went out (nothing is flushed before).</param>
        /// <param name="ping">Writes a ping (and, on a stream not yet started, its start first).</param>
        public async ValueTask<bool> NextAsync<T>(IAsyncEnumerator<T> items, PipeWriter pipe, bool started, Action ping, CancellationToken aborted)
        {
            var next = items.MoveNextAsync();
            if (next.IsCompleted)
            {
                _lastWrite = Stopwatch.GetTimestamp();
                return await next;
            }

            if (started)
            {
                await pipe.FlushAsync(aborted);
            }

            if (interval <= TimeSpan.Zero)
            {
                return await next;
            }

            var pending = next.AsTask();
            while (true)
            {
                var quiet = Stopwatch.GetElapsedTime(_lastWrite);
                if (quiet >= interval)
                {
                    ping();
                    await pipe.FlushAsync(aborted);
                    _lastWrite = Stopwatch.GetTimestamp();
                    _timer = null;
                    continue;
                }

                _timer ??= Task.Delay(interval - quiet, aborted);
                if (await Task.WhenAny(pending, _timer) == pending)
                {
                    _lastWrite = Stopwatch.GetTimestamp();
                    return await pending;
                }

                _timer = null;
                if (aborted.IsCancellationRequested)
                {
                    return await pending; // the upstream read ends too: its token is linked to the request's
                }
            }
        }
    }
}

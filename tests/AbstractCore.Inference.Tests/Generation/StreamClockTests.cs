using AbstractCore.Inference.Generation;

namespace AbstractCore.Inference.Tests.Generation;

/// <summary>Streams that wait at the same time leave on the same tick; the timer runs only while one waits.</summary>
public sealed class StreamClockTests
{
    [Fact]
    public void Streams_waiting_together_are_released_by_one_tick()
    {
        var time = new ManualTimeProvider();
        using var clock = new StreamClock(new InferenceSettings { StreamInterval = TimeSpan.FromMilliseconds(20) }, time);

        var first = clock.NextTickAsync();
        var second = clock.NextTickAsync();

        Assert.Same(first, second);
        Assert.False(first.IsCompleted);
        Assert.Equal(TimeSpan.FromMilliseconds(20), time.Timer!.DueTime);
        time.Timer.Fire();
        Assert.True(first.IsCompletedSuccessfully);
    }

    [Fact]
    public void The_timer_is_armed_again_only_when_a_stream_waits_after_a_tick()
    {
        var time = new ManualTimeProvider();
        using var clock = new StreamClock(new InferenceSettings { StreamInterval = TimeSpan.FromMilliseconds(20) }, time);

        var first = clock.NextTickAsync();
        time.Timer!.Fire();
        Assert.Equal(Timeout.InfiniteTimeSpan, time.Timer.DueTime); // one-shot: nothing waits, nothing ticks

        var next = clock.NextTickAsync();
        Assert.NotSame(first, next);
        Assert.False(next.IsCompleted);
        Assert.Equal(TimeSpan.FromMilliseconds(20), time.Timer.DueTime);
        Assert.Equal(1, time.TimersCreated);
    }

    [Fact]
    public void A_zero_interval_never_waits_nor_starts_a_timer()
    {
        var time = new ManualTimeProvider();
        using var clock = new StreamClock(new InferenceSettings { StreamInterval = TimeSpan.Zero }, time);

        Assert.True(clock.NextTickAsync().IsCompletedSuccessfully);
        Assert.Null(time.Timer);
    }

    /// <summary>Hands out one timer that fires when the test says so.</summary>
    private sealed class ManualTimeProvider : TimeProvider
    {
        public ManualTimer? Timer { get; private set; }

        public int TimersCreated { get; private set; }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            TimersCreated++;
            return Timer = new ManualTimer(callback, state, dueTime);
        }
    }

    private sealed class ManualTimer(TimerCallback callback, object? state, TimeSpan dueTime) : ITimer
    {
        public TimeSpan DueTime { get; private set; } = dueTime;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            DueTime = dueTime;
            return true;
        }

        /// <summary>What the runtime does when a one-shot timer is due: disarm, then call back.</summary>
        public void Fire()
        {
            DueTime = Timeout.InfiniteTimeSpan;
            callback(state);
        }

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

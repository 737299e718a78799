using AbstractCore.Inference.Scheduling;

namespace AbstractCore.Inference.Tests.Scheduling;

public sealed class ModelGateTests
{
    [Fact]
    public async Task Waiters_get_freed_slots_in_arrival_order()
    {
        var gate = new ModelGate(maxConcurrency: 1, maxQueue: 3);
        var first = await gate.EnterAsync(CancellationToken.None);
        var second = gate.EnterAsync(CancellationToken.None).AsTask();
        var third = gate.EnterAsync(CancellationToken.None).AsTask();
        Assert.Equal(2, gate.Waiting);

        first.Dispose();
        var slot2 = await second;
        Assert.False(third.IsCompleted);
        Assert.Equal(1, gate.Running);

        slot2.Dispose();
        (await third).Dispose();
        Assert.Equal(0, gate.Running);
        Assert.Equal(0, gate.Waiting);
    }

    [Fact]
    public async Task A_full_queue_refuses_at_once()
    {
        var gate = new ModelGate(maxConcurrency: 2, maxQueue: 1);
        using var a = await gate.EnterAsync(CancellationToken.None);
        using var b = await gate.EnterAsync(CancellationToken.None);
        var queued = gate.EnterAsync(CancellationToken.None).AsTask();

        var refused = Assert.Throws<QueueFullException>(void () => _ = gate.EnterAsync(CancellationToken.None).AsTask());
        Assert.Equal(2, refused.Running);
        Assert.Equal(1, refused.Waiting);
        Assert.False(queued.IsCompleted);
    }

    [Fact]
    public async Task A_cancelled_waiter_leaves_the_queue_and_is_skipped()
    {
        var gate = new ModelGate(maxConcurrency: 1, maxQueue: 2);
        var running = await gate.EnterAsync(CancellationToken.None);
        using var cts = new CancellationTokenSource();
        var cancelled = gate.EnterAsync(cts.Token).AsTask();
        var next = gate.EnterAsync(CancellationToken.None).AsTask();

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(1, gate.Waiting);

        running.Dispose();
        (await next).Dispose();
        Assert.Equal(0, gate.Running);
    }

    [Fact]
    public async Task Releasing_twice_frees_one_slot()
    {
        var gate = new ModelGate(maxConcurrency: 1, maxQueue: 1);
        var slot = await gate.EnterAsync(CancellationToken.None);
        slot.Dispose();
        slot.Dispose();

        using var again = await gate.EnterAsync(CancellationToken.None);
        Assert.Equal(1, gate.Running);
    }
}

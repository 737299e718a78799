namespace AbstractCore.Inference.Scheduling;

/// <summary>
/// Admission for one model: at most <c>maxConcurrency</c> generations run at once, the rest wait in a bounded
/// first-come-first-served queue. A full queue refuses at once (<see cref="QueueFullException"/>); a waiter whose
/// client goes away leaves the queue; a finished (or cancelled) generation hands its slot straight to the next waiter.
/// </summary>
internal sealed class ModelGate(int maxConcurrency, int maxQueue)
{
    private readonly Lock _lock = new();
    private readonly LinkedList<TaskCompletionSource<Slot>> _waiting = new();
    private int _running;

    public int Running
    {
        get
        {
            lock (_lock)
            {
                return _running;
            }
        }
    }

    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _waiting.Count;
            }
        }
    }

    public int MaxConcurrency => maxConcurrency;

    public ValueTask<Slot> EnterAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        TaskCompletionSource<Slot> waiter;
        LinkedListNode<TaskCompletionSource<Slot>> node;
        lock (_lock)
        {
            if (_running < maxConcurrency && _waiting.Count == 0)
            {
                _running++;
                return ValueTask.FromResult(new Slot(this));
            }

            if (_waiting.Count >= maxQueue)
            {
                throw new QueueFullException(_running, _waiting.Count);
            }

            waiter = new TaskCompletionSource<Slot>(TaskCreationOptions.RunContinuationsAsynchronously);
            node = _waiting.AddLast(waiter);
        }

        return new ValueTask<Slot>(WaitAsync(waiter, node, cancellationToken));
    }

    private async Task<Slot> WaitAsync(TaskCompletionSource<Slot> waiter, LinkedListNode<TaskCompletionSource<Slot>> node, CancellationToken cancellationToken)
    {
        await using var registration = cancellationToken.Register(() =>
        {
            lock (_lock)
            {
                if (node.List is not null)
                {
                    _waiting.Remove(node);
                }
            }

            // Loses to a slot handed over just before: then the caller gets the slot and releases it.
            waiter.TrySetCanceled(cancellationToken);
        });

        return await waiter.Task;
    }

    private void Release()
    {
        lock (_lock)
        {
            while (_waiting.First is { } next)
            {
                _waiting.RemoveFirst();
                if (next.Value.TrySetResult(new Slot(this)))
                {
                    return; // the slot passes on: the running count stays
                }
            }

            _running--;
        }
    }

    /// <summary>One running generation's place; dispose it exactly once when the generation ends.</summary>
    internal sealed class Slot(ModelGate gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}

namespace AbstractCore.Inference.Scheduling;

/// <summary>Every slot is busy and the wait queue is full: the request is refused with 429.</summary>
internal sealed class QueueFullException(int running, int waiting)
    : Exception($"The model is busy: {running} requests running and {waiting} waiting. Retry shortly.")
{
    public int Running { get; } = running;

    public int Waiting { get; } = waiting;
}

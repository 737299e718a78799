using System.Collections.Concurrent;

namespace AbstractCore.TestKit;

/// <summary>Scripted replies served first in, first out, then <see cref="Default"/> whenever the script runs dry.</summary>
internal sealed class ReplyQueue<TReply>(TReply defaultReply)
    where TReply : class
{
    private readonly ConcurrentQueue<TReply> _queue = new();
    private volatile TReply _default = defaultReply;

    public TReply Default
    {
        get => _default;
        set => _default = value ?? throw new ArgumentNullException(nameof(value));
    }

    public void Enqueue(TReply[] replies)
    {
        ArgumentNullException.ThrowIfNull(replies);
        foreach (var reply in replies)
        {
            ArgumentNullException.ThrowIfNull(reply, nameof(replies));
            _queue.Enqueue(reply);
        }
    }

    /// <summary>Drops every scripted reply not served yet (the default stays).</summary>
    public void Clear() => _queue.Clear();

    public TReply Next() => _queue.TryDequeue(out var queued) ? queued : _default;
}

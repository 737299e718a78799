using AbstractCore.Inference.Models;
using AbstractCore.Inference.PromptCache;

namespace AbstractCore.Inference.Residency;

/// <summary>
/// A loaded model with its prompt cache, counted by leases: unloading takes it out of the registry at once and
/// frees the native memory when the last request using it lets go.
/// </summary>
internal sealed class ResidentModel(string runtimeId, LoadedModel model, PromptCacheStore promptCache, bool pinned, DateTimeOffset createdAt)
{
    private readonly Lock _lock = new();
    private int _leases;
    private bool _unloaded;
    private bool _disposed;
    private long _requests;

    public string RuntimeId { get; } = runtimeId;

    public LoadedModel Model { get; } = model;

    public string Name => Model.Folder.Name;

    public PromptCacheStore PromptCache { get; } = promptCache;

    public bool Pinned { get; set; } = pinned;

    public DateTimeOffset CreatedAt { get; } = createdAt;

    public DateTimeOffset LastUsedAt { get; private set; } = createdAt;

    public long RequestCount => Interlocked.Read(ref _requests);

    public bool IsLoaded
    {
        get
        {
            lock (_lock)
            {
                return !_unloaded;
            }
        }
    }

    /// <summary>A use of the model; false once it is unloaded (the caller loads it anew).</summary>
    public bool TryAcquire(DateTimeOffset now)
    {
        lock (_lock)
        {
            if (_unloaded)
            {
                return false;
            }

            _leases++;
            LastUsedAt = now;
            Interlocked.Increment(ref _requests);
            return true;
        }
    }

    public void Release()
    {
        lock (_lock)
        {
            _leases--;
            FreeIfDone();
        }
    }

    public void Unload()
    {
        lock (_lock)
        {
            _unloaded = true;
            FreeIfDone();
        }
    }

    private void FreeIfDone()
    {
        if (_unloaded && _leases == 0 && !_disposed)
        {
            _disposed = true;
            PromptCache.Dispose();
            Model.Dispose();
        }
    }
}

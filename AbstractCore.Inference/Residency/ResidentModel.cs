using AbstractCore.Inference.Blocs;
using AbstractCore.Inference.Models;
using AbstractCore.Inference.PromptCache;

namespace AbstractCore.Inference.Residency;

/// <summary>
/// A loaded model with its prompt cache, counted by leases: unloading takes it out of the registry at once and
/// frees the native memory when the last request using it lets go. A model loaded with <c>ttl_s</c> leaves memory
/// after that long without a request; a locked one stays until an unload with <c>force</c>.
/// </summary>
internal sealed class ResidentModel(string runtimeId, LoadedModel model, PromptCacheStore promptCache, bool pinned, TimeProvider time)
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

    /// <summary>The model folder's files as they were when this runtime loaded them.</summary>
    public required ModelFingerprint Fingerprint { get; init; }

    public bool Pinned { get; set; } = pinned;

    public bool Locked { get; set; }

    /// <summary>Idle time after which the model is unloaded (<c>ttl_s</c> of the load); null: stays.</summary>
    public TimeSpan? IdleTtl { get; set; }

    public DateTimeOffset CreatedAt { get; } = time.GetUtcNow();

    /// <summary>When a request last started or ended on the model.</summary>
    public DateTimeOffset LastUsedAt { get; private set; } = time.GetUtcNow();

    /// <summary>True when the model has a TTL, is not locked, runs no request and has been idle for the TTL.</summary>
    public bool IsIdleExpired()
    {
        lock (_lock)
        {
            return IdleTtl is { } ttl && !Locked && _leases == 0 && time.GetUtcNow() - LastUsedAt >= ttl;
        }
    }

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
    public bool TryAcquire()
    {
        lock (_lock)
        {
            if (_unloaded)
            {
                return false;
            }

            _leases++;
            LastUsedAt = time.GetUtcNow();
            Interlocked.Increment(ref _requests);
            return true;
        }
    }

    public void Release()
    {
        lock (_lock)
        {
            _leases--;
            LastUsedAt = time.GetUtcNow();
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

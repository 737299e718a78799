using System.Collections.Concurrent;

namespace AbstractCore.Api.Keys;

/// <summary>
/// Every virtual key by its secret's hash, held in memory so authenticating a request reads no store: loaded at start,
/// reloaded every <see cref="RefreshEvery"/> and whenever the store says a key changed. A hash it does not know is
/// looked up once in the store (a key another replica just made), and remembered as unknown for a while, so guessing
/// keys cannot make every request a store call.
/// </summary>
internal sealed partial class KeyRing(IKeyStore store, TimeProvider time, ILogger<KeyRing> logger) : BackgroundService
{
    internal static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan UnknownFor = TimeSpan.FromSeconds(5);
    private const int MaxUnknown = 10_000;

    private volatile Dictionary<string, VirtualKey> _byHash = [];
    private readonly ConcurrentDictionary<string, long> _unknown = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _reloads = new(1, 1);
    private bool _loadFailed;

    public IKeyStore Store => store;

    /// <summary>The key with this hash: from memory when known, else from the store; null when there is none.</summary>
    public ValueTask<VirtualKey?> FindAsync(string hash, CancellationToken cancellationToken)
    {
        if (_byHash.TryGetValue(hash, out var key))
        {
            return new(key);
        }

        return _unknown.TryGetValue(hash, out var until) && time.GetTimestamp() < until
            ? new((VirtualKey?)null)
            : new(LookUpAsync(hash, cancellationToken));
    }

    private async Task<VirtualKey?> LookUpAsync(string hash, CancellationToken cancellationToken)
    {
        var key = await store.FindByHashAsync(hash, cancellationToken);
        if (key is null)
        {
            if (_unknown.Count >= MaxUnknown)
            {
                _unknown.Clear();
            }

            _unknown[hash] = time.GetTimestamp() + (long)(UnknownFor.TotalSeconds * time.TimestampFrequency);
            return null;
        }

        Remember(key);
        return key;
    }

    /// <summary>A key this replica saved: known at once, here, without waiting for a reload.</summary>
    public void Remember(VirtualKey key)
    {
        var next = new Dictionary<string, VirtualKey>(_byHash, StringComparer.Ordinal);
        foreach (var (hash, old) in _byHash)
        {
            if (old.Id == key.Id)
            {
                next.Remove(hash);
            }
        }

        next[key.Hash] = key;
        _byHash = next;
        _unknown.TryRemove(key.Hash, out _);
    }

    public void Forget(VirtualKey key)
    {
        var next = new Dictionary<string, VirtualKey>(_byHash, StringComparer.Ordinal);
        next.Remove(key.Hash);
        _byHash = next;
    }

    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        await _reloads.WaitAsync(cancellationToken);
        try
        {
            var keys = await store.ListAsync(cancellationToken);
            var next = new Dictionary<string, VirtualKey>(keys.Count, StringComparer.Ordinal);
            foreach (var key in keys)
            {
                next[key.Hash] = key;
            }

            _byHash = next;
            _unknown.Clear();
            if (_loadFailed)
            {
                _loadFailed = false;
                LogReloaded(logger, next.Count);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Keep serving the keys already known; a key store outage must not lock every app out.
            if (!_loadFailed)
            {
                _loadFailed = true;
                LogReloadFailed(logger, e.Message);
            }
        }
        finally
        {
            _reloads.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        store.Changed += () => _ = ReloadAsync(stoppingToken);
        using var timer = new PeriodicTimer(RefreshEvery, time);
        do
        {
            await ReloadAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the virtual keys ({Message}); the keys already known keep working, new ones wait until the store answers")]
    private static partial void LogReloadFailed(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "The virtual keys store answers again ({Count} keys)")]
    private static partial void LogReloaded(ILogger logger, int count);
}

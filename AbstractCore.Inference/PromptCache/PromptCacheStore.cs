using AbstractCore.Inference.Blocs;

namespace AbstractCore.Inference.PromptCache;

/// <summary>
/// The prompt-cache keys of one loaded model. Live KV state counts against a memory budget (least recently used
/// keys are evicted first) and a key unused for its TTL expires. Busy keys are never evicted; a request that finds
/// its key busy runs uncached instead of waiting.
/// </summary>
internal sealed class PromptCacheStore(long kvBytesPerToken, long budgetBytes, TimeSpan defaultTtl, TimeProvider time) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, PromptCacheEntry> _entries = new(StringComparer.Ordinal);
    private long _hits;
    private long _misses;
    private long _reusedTokens;
    private long _evictions;
    private long _expirations;

    /// <summary>The key used by requests that name none (set with make_default).</summary>
    public string? DefaultKey { get; private set; }

    /// <summary>The key's entry, created if new, for exclusive use; null while another request uses it.</summary>
    public PromptCacheEntry? Checkout(string key, TimeSpan? ttl = null)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            Sweep(now);
            if (!_entries.TryGetValue(key, out var entry))
            {
                entry = new PromptCacheEntry(key, ttl ?? defaultTtl, now);
                _entries[key] = entry;
            }
            else if (entry.Busy)
            {
                return null;
            }

            if (ttl is { } t)
            {
                entry.Ttl = t;
            }

            entry.Busy = true;
            entry.LastUsed = now;
            return entry;
        }
    }

    public void Return(PromptCacheEntry entry, bool keepState)
    {
        lock (_lock)
        {
            entry.Busy = false;
            entry.LastUsed = time.GetUtcNow();
            if (!keepState || entry.Removed)
            {
                entry.Drop();
            }

            EnforceBudget(entry);
        }
    }

    public void RecordUse(int reusedTokens)
    {
        lock (_lock)
        {
            if (reusedTokens > 0)
            {
                _hits++;
                _reusedTokens += reusedTokens;
            }
            else
            {
                _misses++;
            }
        }
    }

    /// <summary>Creates the key (or renews its TTL); optionally makes it the default.</summary>
    public void Set(string key, TimeSpan? ttl, bool makeDefault)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            Sweep(now);
            if (!_entries.TryGetValue(key, out var entry))
            {
                _entries[key] = entry = new PromptCacheEntry(key, ttl ?? defaultTtl, now);
            }

            entry.Ttl = ttl ?? entry.Ttl;
            entry.LastUsed = now;
            if (makeDefault)
            {
                DefaultKey = key;
            }
        }
    }

    public bool Contains(string key)
    {
        lock (_lock)
        {
            Sweep(time.GetUtcNow());
            return _entries.ContainsKey(key);
        }
    }

    /// <summary>The tokens whose KV state a key holds (for fork), or null when the key is unknown.</summary>
    public int[]? Tokens(string key)
    {
        lock (_lock)
        {
            Sweep(time.GetUtcNow());
            return _entries.TryGetValue(key, out var entry) ? entry.ComputedTokens.ToArray() : null;
        }
    }

    /// <summary>
    /// What a key holds for a prompt_cache_binding check: <c>Live</c> false when the key is unknown or its KV state is gone
    /// (evicted, expired); else the binding its KV state still holds, if any. A key in use by a request is taken at its word.
    /// </summary>
    public (bool Live, KvBinding? Binding) BindingOf(string key)
    {
        lock (_lock)
        {
            Sweep(time.GetUtcNow());
            if (!_entries.TryGetValue(key, out var entry) || (entry.Generator is null && !entry.Busy))
            {
                return (false, null);
            }

            return (true, entry.Binding is { } b && (entry.Busy || entry.Holds(b)) ? b : null);
        }
    }

    /// <summary>Every key whose KV state holds a bloc artifact (for kv/delete and kv/prune).</summary>
    public IReadOnlyList<(string Key, KvBinding Binding)> LiveBindings()
    {
        lock (_lock)
        {
            Sweep(time.GetUtcNow());
            return _entries.Values
                .Where(e => e.Binding is { } b && (e.Busy || e.Holds(b)))
                .OrderBy(e => e.Key, StringComparer.Ordinal)
                .Select(e => (e.Key, e.Binding!))
                .ToList();
        }
    }

    /// <summary>Removes one key, or every key when <paramref name="key"/> is null. Returns how many were removed.</summary>
    public int Clear(string? key)
    {
        lock (_lock)
        {
            var victims = key is null ? _entries.Values.ToList() : _entries.TryGetValue(key, out var e) ? [e] : [];
            foreach (var victim in victims)
            {
                Remove(victim);
            }

            if (key is null || DefaultKey == key)
            {
                DefaultKey = null;
            }

            return victims.Count;
        }
    }

    public PromptCacheStats Stats()
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            Sweep(now);
            return new PromptCacheStats(
                _entries.Count, _entries.Values.Sum(e => e.Bytes(kvBytesPerToken)), budgetBytes,
                _hits, _misses, _reusedTokens, _evictions, _expirations, DefaultKey,
                _entries.Values.OrderBy(e => e.Key, StringComparer.Ordinal)
                    .Select(e => new PromptCacheKeyStats(e.Key, e.ComputedCount, e.Bytes(kvBytesPerToken), e.Busy,
                        Math.Max(0, (e.LastUsed + e.Ttl - now).TotalSeconds), e.Binding is { } b && (e.Busy || e.Holds(b)) ? b.BindingId : null))
                    .ToList());
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var entry in _entries.Values.ToList())
            {
                Remove(entry);
            }
        }
    }

    private void Remove(PromptCacheEntry entry)
    {
        _entries.Remove(entry.Key);
        if (entry.Busy)
        {
            entry.Removed = true; // dropped when its request returns it
        }
        else
        {
            entry.Drop();
        }
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var entry in _entries.Values.Where(e => !e.Busy && e.LastUsed + e.Ttl <= now).ToList())
        {
            Remove(entry);
            _expirations++;
        }
    }

    /// <summary>Evicts the least recently used idle keys' KV state until the live state fits the budget.</summary>
    private void EnforceBudget(PromptCacheEntry justUsed)
    {
        var total = _entries.Values.Sum(e => e.Bytes(kvBytesPerToken));
        if (total <= budgetBytes)
        {
            return;
        }

        var candidates = _entries.Values
            .Where(e => !e.Busy && e.Generator is not null)
            .OrderBy(e => ReferenceEquals(e, justUsed) ? 1 : 0) // the key just used goes last
            .ThenBy(e => e.LastUsed)
            .ToList();
        foreach (var victim in candidates)
        {
            if (total <= budgetBytes)
            {
                break;
            }

            total -= victim.Bytes(kvBytesPerToken);
            Remove(victim);
            _evictions++;
        }
    }
}

internal sealed record PromptCacheStats(
    int Keys, long Bytes, long BudgetBytes, long Hits, long Misses, long ReusedTokens, long Evictions, long Expirations,
    string? DefaultKey, IReadOnlyList<PromptCacheKeyStats> Entries);

internal sealed record PromptCacheKeyStats(string Key, int Tokens, long Bytes, bool Busy, double ExpiresInSeconds, string? BindingId);

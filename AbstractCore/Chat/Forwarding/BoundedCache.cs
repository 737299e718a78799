using System.Collections.Concurrent;

namespace AbstractCore.Chat.Forwarding;

/// <summary>
/// A value computed once per key, for keys that are few in practice (models, base URLs) but may come from requests:
/// past <paramref name="capacity"/> keys, a new one is computed on each use instead of kept, so requests cannot grow it.
/// </summary>
public sealed class BoundedCache<TKey, TValue>(int capacity, Func<TKey, TValue> compute)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, TValue> _values = new();

    public TValue Get(TKey key)
    {
        if (_values.TryGetValue(key, out var value))
        {
            return value;
        }

        value = compute(key);
        if (_values.Count < capacity)
        {
            _values.TryAdd(key, value);
        }

        return value;
    }
}

using System.Collections.Concurrent;
using System.Collections.Frozen;

namespace AbstractCore.Spend;

/// <summary>
/// What each model costs, and the cost of a request's <see cref="Usage"/>. A model is looked up, without case, as: the
/// alias the client named (an operator prices a whole alias); <c>provider/model</c>; the bare <c>model</c> (priced alike
/// under every provider that serves it), and its last segment for OpenRouter-style <c>openai/gpt-4o</c>; then the
/// <c>*</c> patterns, most specific first. Nothing matching: the request is unpriced, not free.
/// </summary>
public sealed partial class PriceTable
{
    /// <summary>Resolved lookups kept. Clients name models freely, so the cache is bounded; when full it is emptied
    /// rather than evicted entry by entry, and the working set fills it again within a few requests.</summary>
    internal const int CacheSize = 4096;

    private readonly FrozenDictionary<string, ModelPrice> _exact;
    private readonly PricePattern[] _patterns;
    private readonly ConcurrentDictionary<Key, ModelPrice?> _resolved = new(KeyComparer.Instance);
    private int _resolvedCount;

    public PriceTable(IReadOnlyDictionary<string, ModelPrice> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        Entries = entries.ToFrozenDictionary(e => e.Key.Trim(), e => e.Value, StringComparer.OrdinalIgnoreCase);
        _exact = Entries.Where(e => !PricePattern.IsGlob(e.Key)).ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        _patterns = [.. Entries.Where(e => PricePattern.IsGlob(e.Key)).Select(e => new PricePattern(e.Key, e.Value))];
        Array.Sort(_patterns, PricePattern.MostSpecificFirst);
    }

    public static PriceTable Empty { get; } = new(new Dictionary<string, ModelPrice>());

    /// <summary>Every entry by its key (a model name, <c>provider/model</c>, an alias or a pattern).</summary>
    public IReadOnlyDictionary<string, ModelPrice> Entries { get; }

    /// <summary>The cost of <paramref name="usage"/> on the model; <c>Priced</c> false and 0 USD when no entry matches.</summary>
    public PricedUsage Price(string provider, string model, string? alias, Usage usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        return Find(provider, model, alias) is { } price ? new(usage, price.Cost(usage), Priced: true) : new(usage, 0m, Priced: false);
    }

    /// <summary>The entry that prices the model, or null. Cached per (provider, model, alias): it runs on every request.</summary>
    public ModelPrice? Find(string provider, string model, string? alias)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(model);
        var key = new Key(provider, model, alias);
        if (_resolved.TryGetValue(key, out var price))
        {
            return price;
        }

        price = Resolve(provider, model, alias);
        if (Interlocked.Increment(ref _resolvedCount) > CacheSize)
        {
            _resolved.Clear();
            Interlocked.Exchange(ref _resolvedCount, 1);
        }

        _resolved.TryAdd(key, price);
        return price;
    }

    private ModelPrice? Resolve(string provider, string model, string? alias)
    {
        if (!string.IsNullOrWhiteSpace(alias) && _exact.TryGetValue(alias.Trim(), out var price))
        {
            return price;
        }

        var qualified = $"{provider}/{model}";
        var last = model[(model.LastIndexOf('/') + 1)..];
        if (_exact.TryGetValue(qualified, out price) || _exact.TryGetValue(model, out price) || _exact.TryGetValue(last, out price))
        {
            return price;
        }

        foreach (var pattern in _patterns)
        {
            if (pattern.Matches(qualified) || pattern.Matches(model) || pattern.Matches(last))
            {
                return pattern.Price;
            }
        }

        return null;
    }

    private readonly record struct Key(string Provider, string Model, string? Alias);

    private sealed class KeyComparer : IEqualityComparer<Key>
    {
        public static readonly KeyComparer Instance = new();

        public bool Equals(Key x, Key y) =>
            string.Equals(x.Provider, y.Provider, StringComparison.OrdinalIgnoreCase)
            && string.Equals(x.Model, y.Model, StringComparison.OrdinalIgnoreCase)
            && string.Equals(x.Alias, y.Alias, StringComparison.OrdinalIgnoreCase);

        public int GetHashCode(Key key) => HashCode.Combine(
            StringComparer.OrdinalIgnoreCase.GetHashCode(key.Provider),
            StringComparer.OrdinalIgnoreCase.GetHashCode(key.Model),
            key.Alias is null ? 0 : StringComparer.OrdinalIgnoreCase.GetHashCode(key.Alias));
    }
}

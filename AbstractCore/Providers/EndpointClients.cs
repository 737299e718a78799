using System.Collections.Concurrent;

namespace AbstractCore.Providers;

/// <summary>
/// Clients cached per <see cref="ProviderEndpoint.CacheKey"/> (provider, base URL, grant, key, headers) over the shared
/// pooled handlers: a client is built once per endpoint, not per request.
/// </summary>
internal sealed class EndpointClients<T>(Func<ProviderEndpoint, T> create)
    where T : class
{
    private const int MaxCachedClients = 1024;
    private readonly ConcurrentDictionary<string, T> _clients = new(StringComparer.Ordinal);

    public T Get(ProviderEndpoint endpoint)
    {
        if (_clients.TryGetValue(endpoint.CacheKey, out var client))
        {
            return client;
        }

        if (_clients.Count >= MaxCachedClients)
        {
            // Many distinct per-request keys: start over rather than grow without bound.
            _clients.Clear();
        }

        return _clients.GetOrAdd(endpoint.CacheKey, static (_, state) => state.create(state.endpoint), (create, endpoint));
    }
}

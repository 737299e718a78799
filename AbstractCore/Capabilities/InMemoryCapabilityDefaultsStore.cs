using System.Collections.Concurrent;

namespace AbstractCore.Capabilities;

/// <summary>
/// The store when ABSTRACTCORE_SERVER_DISABLE_CENTRALIZED_CONFIG is on and no cache is configured: defaults hold
/// for the life of the process and the config file is never written.
/// </summary>
public sealed class InMemoryCapabilityDefaultsStore : ICapabilityDefaultsStore
{
    private readonly ConcurrentDictionary<string, CapabilityDefault> _routes = new(StringComparer.Ordinal);

    public string Source => "memory";

    public string? ConfigFile => null;

    public Task<IReadOnlyList<CapabilityDefault>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<CapabilityDefault>>([.. _routes.Values.OrderBy(r => r.Key, StringComparer.Ordinal)]);

    public Task<CapabilityDefault?> GetAsync(string key, CancellationToken cancellationToken) =>
        Task.FromResult(_routes.TryGetValue(key, out var route) ? route : null);

    public Task SaveAsync(CapabilityDefault route, CancellationToken cancellationToken)
    {
        if (route.IsConfigured)
        {
            _routes[route.Key] = route;
        }
        else
        {
            _routes.TryRemove(route.Key, out _);
        }

        return Task.CompletedTask;
    }

    public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken) => Task.FromResult(_routes.TryRemove(key, out _));
}

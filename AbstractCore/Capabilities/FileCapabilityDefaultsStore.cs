using System.Text.Json.Nodes;

namespace AbstractCore.Capabilities;

/// <summary>
/// Capability defaults in the config file's <c>capability_defaults</c> section (<c>{version:1, routes:{key:{…}}}</c>),
/// as the original keeps them. Every write reloads the file and rewrites it whole (other sections untouched),
/// serialised in this process; the file is small, so reads just load it.
/// </summary>
public sealed class FileCapabilityDefaultsStore(string path) : ICapabilityDefaultsStore
{
    public const string Section = "capability_defaults";
    private readonly Lock _writes = new();

    public string Source => "abstractcore.server";

    public string? ConfigFile => path;

    public Task<IReadOnlyList<CapabilityDefault>> ListAsync(CancellationToken cancellationToken)
    {
        var routes = Routes(Load());
        IReadOnlyList<CapabilityDefault> list = routes is null ? [] :
            [.. routes.Select(r => CapabilityDefault.FromStored(r.Key, r.Value)).OfType<CapabilityDefault>().OrderBy(r => r.Key, StringComparer.Ordinal)];
        return Task.FromResult(list);
    }

    public Task<CapabilityDefault?> GetAsync(string key, CancellationToken cancellationToken) =>
        Task.FromResult(Routes(Load()) is { } routes && routes.TryGetPropertyValue(key, out var entry) ? CapabilityDefault.FromStored(key, entry) : null);

    public Task SaveAsync(CapabilityDefault route, CancellationToken cancellationToken) =>
        UpdateAsync(routes =>
        {
            if (route.IsConfigured)
            {
                routes[route.Key] = route.ToStored();
            }
            else
            {
                routes.Remove(route.Key);
            }

            return true;
        }, cancellationToken);

    public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken) =>
        UpdateAsync(routes => routes.Remove(key), cancellationToken);

    /// <summary>Load, change, save under one lock: the file is small and rewritten whole.</summary>
    private Task<bool> UpdateAsync(Func<JsonObject, bool> change, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writes)
        {
            var file = Load();
            var section = file.EnsureSection(Section);
            section["version"] = 1;
            if (section["routes"] is not JsonObject routes)
            {
                routes = [];
                section["routes"] = routes;
            }

            var changed = change(routes);
            try
            {
                file.Save();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new GatewayException(500,
                    $"Could not write the capability defaults to {path}: {e.Message}. Make the file writable, point " +
                    "ABSTRACTCORE_CONFIG_FILE elsewhere, or configure the cache connection string to keep them in Redis.",
                    "server_error", code: "config_not_writable");
            }

            return Task.FromResult(changed);
        }
    }

    private Configuration.ConfigFile Load() => Configuration.ConfigFile.Load(path);

    private static JsonObject? Routes(Configuration.ConfigFile file) => file.Section(Section)?["routes"] as JsonObject;
}

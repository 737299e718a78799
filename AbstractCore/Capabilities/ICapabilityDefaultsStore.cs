namespace AbstractCore.Capabilities;

/// <summary>Where capability defaults persist: Redis when the gateway has a cache, else the config file.</summary>
public interface ICapabilityDefaultsStore
{
    /// <summary>Named in the GET payload's <c>source</c>.</summary>
    string Source { get; }

    /// <summary>The config file path when the store is the file, else null.</summary>
    string? ConfigFile { get; }

    Task<IReadOnlyList<CapabilityDefault>> ListAsync(CancellationToken cancellationToken);

    Task<CapabilityDefault?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>Stores the route, or removes it when nothing is left configured.</summary>
    Task SaveAsync(CapabilityDefault route, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string key, CancellationToken cancellationToken);
}

public static class CapabilityDefaultsStoreExtensions
{
    /// <summary>The most specific configured route for a request: <c>kind.modality.task</c>, then <c>kind.modality</c>.</summary>
    public static async Task<CapabilityDefault?> FindAsync(
        this ICapabilityDefaultsStore store, string kind, string modality, string? task, CancellationToken cancellationToken)
    {
        if (task is not null && await store.GetAsync(CapabilityDefault.KeyOf(kind, modality, task), cancellationToken).ConfigureAwait(false) is { } specific)
        {
            return specific;
        }

        return await store.GetAsync(CapabilityDefault.KeyOf(kind, modality, null), cancellationToken).ConfigureAwait(false);
    }
}

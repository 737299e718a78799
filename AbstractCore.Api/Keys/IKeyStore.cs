namespace AbstractCore.Api.Keys;

/// <summary>Where virtual keys live: Redis when the <c>cache</c> connection is configured, else a file in the configuration home.</summary>
internal interface IKeyStore
{
    Task<IReadOnlyList<VirtualKey>> ListAsync(CancellationToken cancellationToken);

    Task<VirtualKey?> GetAsync(string id, CancellationToken cancellationToken);

    Task<VirtualKey?> FindByHashAsync(string hash, CancellationToken cancellationToken);

    Task SaveAsync(VirtualKey key, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string id, CancellationToken cancellationToken);

    /// <summary>Raised when another replica changed a key (Redis only), so this one drops what it remembered.</summary>
    event Action? Changed;
}

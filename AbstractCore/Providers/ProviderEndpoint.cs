using AbstractCore.Security;

namespace AbstractCore.Providers;

/// <summary>A resolved upstream: base URL, key (never logged) and the provider's own extra headers.</summary>
/// <param name="Grant">Null for a base URL from the server's configuration; for a request-chosen one, why the policy
/// accepted it, which its connections must keep to (<see cref="UpstreamHttp.For(ProviderEndpoint)"/>).</param>
public sealed record ProviderEndpoint(
    ProviderDescriptor Provider,
    Uri BaseUrl,
    string? ApiKey,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    BaseUrlGrant? Grant = null)
{
    /// <summary>Equality over (provider, base URL, grant, key, headers) is the client-cache key: a cached client holds
    /// the connection handler the grant chose.</summary>
    public string CacheKey { get; } = string.Join('\n',
        [Provider.Name, BaseUrl.AbsoluteUri, Grant?.ToString() ?? "configured", ApiKey ?? "", .. Headers.Select(h => h.Key + ":" + h.Value)]);
}

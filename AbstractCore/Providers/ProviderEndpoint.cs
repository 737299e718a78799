namespace AbstractCore.Providers;

/// <summary>A resolved upstream: base URL, key (never logged) and the provider's own extra headers.</summary>
public sealed record ProviderEndpoint(
    ProviderDescriptor Provider,
    Uri BaseUrl,
    string? ApiKey,
    IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    /// <summary>Equality over (provider, base URL, key, headers) is the client-cache key.</summary>
    public string CacheKey { get; } = string.Join('\n',
        [Provider.Name, BaseUrl.AbsoluteUri, ApiKey ?? "", .. Headers.Select(h => h.Key + ":" + h.Value)]);
}

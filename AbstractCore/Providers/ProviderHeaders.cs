namespace AbstractCore.Providers;

/// <summary>The one rule for what a provider call carries: the key where the provider expects it (no
/// <c>Authorization</c> at all for keyless local servers) and the provider's own headers.</summary>
public static class ProviderHeaders
{
    /// <summary>The key's header, or null when the endpoint has no key.</summary>
    public static KeyValuePair<string, string>? Key(ProviderEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return endpoint.ApiKey is not { } key ? null
            : endpoint.Provider.AuthStyle == ProviderAuthStyle.Portkey ? new("x-portkey-api-key", key)
            : new("Authorization", "Bearer " + key);
    }

    /// <summary>Puts the key and the provider's headers on a request the gateway sends itself.</summary>
    public static void Apply(HttpRequestMessage request, ProviderEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Key(endpoint) is { } key)
        {
            request.Headers.TryAddWithoutValidation(key.Key, key.Value);
        }

        foreach (var (name, value) in endpoint.Headers)
        {
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value);
        }
    }
}

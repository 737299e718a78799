namespace AbstractCore.Providers;

/// <summary>The provider's own headers and its key where the provider expects it (no <c>Authorization</c> at all for
/// keyless local servers), on a request the gateway sends itself.</summary>
public static class ProviderHeaders
{
    public static void Apply(HttpRequestMessage request, ProviderEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint.ApiKey is { } key)
        {
            switch (endpoint.Provider.AuthStyle)
            {
                case ProviderAuthStyle.Bearer:
                    request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
                    break;
                case ProviderAuthStyle.Portkey:
                    request.Headers.TryAddWithoutValidation("x-portkey-api-key", key);
                    break;
            }
        }

        foreach (var (name, value) in endpoint.Headers)
        {
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value);
        }
    }
}

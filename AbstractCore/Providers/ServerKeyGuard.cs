using AbstractCore.Security;

namespace AbstractCore.Providers;

/// <summary>
/// The two rules that keep a server-held provider key (environment variable or config file) from being spent or
/// leaked by a request: a request without the server token may not use it (401), and a request-chosen non-loopback
/// <c>base_url</c> is refused unless the request brings its own key (403). A server-held key never follows a
/// request-chosen URL in any case (<see cref="ProviderResolver"/> sends only an explicit key there).
/// </summary>
public static class ServerKeyGuard
{
    public const string UnauthenticatedCode = "server_key_requires_auth";
    public const string ExfiltrationCode = "base_url_requires_provider_key";
    public const string NotForwardedCode = "server_key_not_forwarded";

    public static string UnauthenticatedMessage(string setting) =>
        $"Server-held {setting} is configured, but inbound server auth is not. Set ABSTRACTCORE_AUTH_TOKEN and send " +
        "Authorization: Bearer <server-token>, or pass an explicit provider key with X-AbstractCore-Provider-API-Key.";

    public static string ExfiltrationMessage(string setting, string provider) =>
        $"Refusing request-level base_url override without an explicit provider key because the server has {setting} set. " +
        $"Provide the provider key via X-AbstractCore-Provider-API-Key. (provider={provider})";

    /// <summary>401 when the server holds a key for the provider and the request neither carries the server token nor
    /// its own key. Applies with <c>ABSTRACTCORE_SERVER_ALLOW_UNAUTHENTICATED=1</c> too.</summary>
    public static void RequireAuthForServerKey(string provider, string? serverKeySetting, ProviderRequest request)
    {
        if (serverKeySetting is not null && !request.ServerAuthenticated && request.ExplicitKey is null)
        {
            throw new GatewayException(401, UnauthenticatedMessage(serverKeySetting), "authentication_error", code: UnauthenticatedCode);
        }
    }

    /// <summary>403 when a request points a provider the server holds a key for at a non-loopback URL without bringing
    /// its own key. A URL that does not parse is left to the base_url policy (400).</summary>
    public static async Task RefuseExfiltrationAsync(
        string provider, string? serverKeySetting, ProviderRequest request, HostResolver resolver, CancellationToken cancellationToken)
    {
        if (serverKeySetting is null || request.ExplicitKey is not null || string.IsNullOrWhiteSpace(request.BaseUrl) ||
            !Uri.TryCreate(request.BaseUrl.Trim(), UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            return;
        }

        if (!await AddressRules.IsLoopbackHostAsync(uri, resolver, cancellationToken))
        {
            throw new GatewayException(403, ExfiltrationMessage(serverKeySetting, provider), "forbidden", "base_url", ExfiltrationCode);
        }
    }
}

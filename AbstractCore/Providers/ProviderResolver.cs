using AbstractCore.Security;
using Microsoft.Extensions.Configuration;

namespace AbstractCore.Providers;

/// <summary>Turns a provider name, an optional request <c>base_url</c> and an optional per-request key into
/// the upstream to call. Settings come from configuration (environment variables included), read once: the
/// configuration manager takes a lock on every read, which showed up as contention under load.</summary>
/// <param name="resolver">Resolves request-chosen hosts for the base_url policy (tests answer without DNS); the
/// system resolver by default.</param>
/// <param name="self">This server's listening addresses, to refuse a configured URL that points back at it; none in a
/// process that serves no HTTP.</param>
public sealed class ProviderResolver(IConfiguration configuration, HostResolver? resolver = null, SelfAddresses? self = null)
{
    private readonly HostResolver _resolver = resolver ?? HostResolvers.System;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string?> _settings = new(StringComparer.Ordinal);

    /// <summary>The endpoint each provider resolves to without request overrides, resolved once.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Task<ProviderEndpoint>> _plain = new(StringComparer.Ordinal);

    /// <summary>Configured upstreams resolved from the server's settings alone, by instance.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<ConfiguredUpstream, Task<ProviderEndpoint>> _deployments =
        new(ReferenceEqualityComparer.Instance);

    private readonly UrlAllowlist _baseUrlAllowlist = UrlAllowlist.Parse(configuration[UrlAllowlist.BaseUrlSetting]);

    private string? Setting(string name) => _settings.GetOrAdd(name, n => configuration[n] is { } v && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null);

    /// <summary>The server-held key for a provider, if any.</summary>
    public string? ServerKey(ProviderDescriptor provider) =>
        provider.ApiKeySettings.Select(Setting).FirstOrDefault(v => v is not null);

    /// <summary>The setting that holds the server's key for a provider (named in messages, never the value), or null.</summary>
    public string? ServerKeySetting(ProviderDescriptor provider) =>
        provider.ApiKeySettings.FirstOrDefault(s => Setting(s) is not null);

    /// <summary>
    /// What the server-held key guard protects for a provider: its key setting when set, else, for a provider that calls
    /// with the server's own identity when it has no key (Azure's Entra ID), that identity; null when neither is in use.
    /// </summary>
    private string? GuardedSetting(ProviderDescriptor provider) =>
        ServerKeySetting(provider) ??
        (provider.IdentitySetting is { } identity && Setting(identity) is not null ? identity + " (the server's own identity)" : null);

    /// <summary>The configured base URL (setting or default), or null when the provider has none.</summary>
    public string? ConfiguredBaseUrl(ProviderDescriptor provider) =>
        provider.BaseUrlSettings.Select(Setting).FirstOrDefault(v => v is not null) ?? provider.DefaultBaseUrl;

    /// <summary>True when an operator set this provider up (a key or a base URL setting), so listing it is expected.</summary>
    public bool IsConfigured(ProviderDescriptor provider) =>
        ServerKey(provider) is not null ||
        provider.BaseUrlSettings.Any(s => Setting(s) is not null);

    /// <summary>A request-chosen base_url checked by the base_url policy (loopback unless allowlisted), as every route checks it.</summary>
    public async Task<Uri> ValidateBaseUrlAsync(string baseUrl, CancellationToken cancellationToken) =>
        (await CheckBaseUrlAsync(baseUrl, cancellationToken)).Url;

    /// <summary>
    /// The upstream for one request. Checks, in the original's order: the server-held key guard (401: no server token,
    /// no explicit key, a key held by the server), then the base_url exfiltration guard (403), then the base_url policy.
    /// A server-held key is only ever sent to the configured URL; a request-chosen URL gets the explicit key or none.
    /// </summary>
    public Task<ProviderEndpoint> ResolveAsync(ProviderDescriptor provider, ProviderRequest request, CancellationToken cancellationToken)
    {
        var serverKeySetting = GuardedSetting(provider);
        try
        {
            ServerKeyGuard.RequireAuthForServerKey(provider.Name, serverKeySetting, request);
        }
        catch (GatewayException e)
        {
            return Task.FromException<ProviderEndpoint>(e);
        }

        if (string.IsNullOrWhiteSpace(request.BaseUrl) && request.ExplicitKey is null)
        {
            // The common case: server settings only, no allocation. A failure (no key, no URL) is not cached: it throws each time.
            if (_plain.TryGetValue(provider.Name, out var cached))
            {
                return cached;
            }

            var resolved = ResolveCoreAsync(provider, null, null, cancellationToken);
            if (resolved.IsCompletedSuccessfully)
            {
                _plain[provider.Name] = resolved;
            }

            return resolved;
        }

        return ResolveOverridesAsync(provider, serverKeySetting, request, cancellationToken);
    }

    /// <summary>
    /// The upstream of an alias's deployment: its configured base URL (else the provider's) and the key in its
    /// <c>api_key_env</c> (else the provider's resolution: the caller's key or the server's). The operator chose both, so
    /// no base_url policy applies; the key guard does, as for every server-held key.
    /// </summary>
    public Task<ProviderEndpoint> ResolveDeploymentAsync(
        ProviderDescriptor provider, ConfiguredUpstream deployment, ProviderRequest request, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(request.BaseUrl))
        {
            return Task.FromException<ProviderEndpoint>(GatewayException.BadRequest(
                "base_url cannot be combined with a model alias: its deployments' URLs are the server's configuration. " +
                "Name a provider/model to choose the URL.", "base_url"));
        }

        if (deployment.BaseUrl is null && deployment.KeySetting is null)
        {
            return ResolveAsync(provider, request with { BaseUrl = null }, cancellationToken);
        }

        try
        {
            if (deployment.KeySetting is null)
            {
                ServerKeyGuard.RequireAuthForServerKey(provider.Name, GuardedSetting(provider), request);
                if (request.ExplicitKey is not null)
                {
                    return Task.FromResult(ResolveDeployment(provider, deployment, request.ExplicitKey));
                }
            }
            else
            {
                ServerKeyGuard.RequireAuthForServerKey(provider.Name, deployment.KeySetting, request with { ExplicitKey = null });
            }

            // Everything else comes from the server's settings, read once: resolved once per deployment.
            return _deployments.TryGetValue(deployment, out var cached)
                ? cached
                : _deployments[deployment] = Task.FromResult(ResolveDeployment(provider, deployment, null));
        }
        catch (GatewayException e)
        {
            return Task.FromException<ProviderEndpoint>(e);
        }
    }

    private ProviderEndpoint ResolveDeployment(ProviderDescriptor provider, ConfiguredUpstream deployment, string? callersKey)
    {
        var key = deployment.KeySetting is { } keySetting
            ? Setting(keySetting) ?? throw new GatewayException(500,
                $"Deployment '{deployment.Name}' reads its key from {keySetting}, which is not set: set it on the server.",
                "server_error", code: DeploymentKeyMissingCode)
            : callersKey ?? ServerKey(provider);

        var configured = deployment.BaseUrl ?? ConfiguredBaseUrl(provider) ?? throw GatewayException.BadRequest(
            $"Provider '{provider.Name}' has no base URL: set {string.Join(" or ", provider.BaseUrlSettings)} or the deployment's base_url.", "model");
        var baseUrl = WithApiVersion(provider, new Uri(configured.Contains("://", StringComparison.Ordinal) ? configured : "http://" + configured));
        if (self?.Match(baseUrl) is { } listening)
        {
            throw GatewayException.BadRequest(
                $"Deployment '{deployment.Name}' would call this gateway itself ({listening}): fix its base_url.", "model", "provider_base_url_is_gateway");
        }

        if (key is null && provider.RequiresKey)
        {
            throw new GatewayException(401, $"Deployment '{deployment.Name}' needs an API key: set its api_key_env or {provider.KeySettingName}.",
                "authentication_error", code: "missing_provider_key");
        }

        return new ProviderEndpoint(provider, WithoutTrailingSlash(baseUrl), key, ExtraHeaders(provider));
    }

    /// <summary>A deployment's <c>api_key_env</c> names a setting that is not set: that deployment is skipped.</summary>
    public const string DeploymentKeyMissingCode = "deployment_key_missing";

    private async Task<ProviderEndpoint> ResolveOverridesAsync(
        ProviderDescriptor provider, string? serverKeySetting, ProviderRequest request, CancellationToken cancellationToken)
    {
        await ServerKeyGuard.RefuseExfiltrationAsync(provider.Name, serverKeySetting, request, _resolver, cancellationToken);
        return await ResolveCoreAsync(provider, request.BaseUrl, request.ExplicitKey, cancellationToken);
    }

    private async Task<ProviderEndpoint> ResolveCoreAsync(
        ProviderDescriptor provider, string? requestBaseUrl, string? explicitKey, CancellationToken cancellationToken)
    {
        Uri baseUrl;
        BaseUrlGrant? grant = null;
        string? key = explicitKey;
        if (!string.IsNullOrWhiteSpace(requestBaseUrl))
        {
            var accepted = await CheckBaseUrlAsync(requestBaseUrl, cancellationToken);
            (baseUrl, grant) = (accepted.Url, accepted.Grant);
            // A server-held key never follows a request-chosen URL: only an explicit key does.
        }
        else
        {
            var configured = ConfiguredBaseUrl(provider) ?? throw GatewayException.BadRequest(
                $"Provider '{provider.Name}' has no base URL: set {string.Join(" or ", provider.BaseUrlSettings)}, " +
                "or pass base_url in the request.", "base_url");
            if (!configured.Contains("://", StringComparison.Ordinal))
            {
                configured = "http://" + configured; // OLLAMA_HOST is often host:port
            }

            if (!Uri.TryCreate(configured, UriKind.Absolute, out baseUrl!))
            {
                throw new GatewayException(500,
                    $"{provider.BaseUrlSettings[0]} is not an absolute URL: fix the server configuration.", "server_error");
            }

            baseUrl = WithApiVersion(provider, baseUrl);
            if (self?.Match(baseUrl) is { } listening)
            {
                var setting = provider.BaseUrlSettings.FirstOrDefault(s => Setting(s) is not null) ?? provider.BaseUrlSettings[0];
                throw GatewayException.BadRequest(
                    $"Provider '{provider.Name}' would call this gateway itself: its base URL {baseUrl} is the address the gateway " +
                    $"listens on ({listening}). Set {setting} to the {provider.Name} server's address, or run the gateway on another " +
                    "port (PORT).", "model", "provider_base_url_is_gateway");
            }

            key ??= ServerKey(provider);
        }

        if (key is null && provider.RequiresKey && !string.IsNullOrWhiteSpace(requestBaseUrl) && ServerKeySetting(provider) is { } held)
        {
            // The server has the key; the refusal is that it never follows a request-chosen URL.
            throw new GatewayException(401,
                $"Provider '{provider.Name}' has {held} set on the server, but a server-held key is never sent to a request-chosen " +
                "base_url. Send the key for that URL in X-AbstractCore-Provider-API-Key, or omit base_url to use the configured one.",
                "authentication_error", "base_url", ServerKeyGuard.NotForwardedCode);
        }

        if (key is null && provider.IdentitySetting is not null && !string.IsNullOrWhiteSpace(requestBaseUrl))
        {
            // The server's identity (an Entra ID token) is for the configured endpoint only, as a server-held key is.
            throw new GatewayException(401,
                $"Provider '{provider.Name}' calls a request-chosen base_url only with a key sent for it: the server's own identity " +
                "is never used there. Send the key in X-AbstractCore-Provider-API-Key, or omit base_url to use the configured endpoint.",
                "authentication_error", "base_url", ServerKeyGuard.NotForwardedCode);
        }

        if (key is null && provider.RequiresKey)
        {
            throw new GatewayException(401,
                $"Provider '{provider.Name}' needs an API key: set {provider.KeySettingName} on the server " +
                "or send X-AbstractCore-Provider-API-Key.", "authentication_error", code: "missing_provider_key");
        }

        return new ProviderEndpoint(provider, WithoutTrailingSlash(baseUrl), key, ExtraHeaders(provider), grant);
    }

    /// <summary>The base_url policy (403 when refused) for any request-chosen URL, with this server's allowlist and
    /// resolver. Send to the result only through <see cref="UpstreamHttp.For(BaseUrlGrant?)"/> with its grant.</summary>
    public Task<RequestBaseUrl> CheckBaseUrlAsync(string baseUrl, CancellationToken cancellationToken) =>
        BaseUrlPolicy.CheckAsync(baseUrl, _baseUrlAllowlist, _resolver, cancellationToken);

    private List<KeyValuePair<string, string>> ExtraHeaders(ProviderDescriptor provider)
    {
        List<KeyValuePair<string, string>> headers = [];
        void Add(string header, string setting)
        {
            if (Setting(setting) is { } value)
            {
                headers.Add(new(header, value));
            }
        }

        switch (provider.Name)
        {
            case "openrouter":
                Add("HTTP-Referer", "OPENROUTER_SITE_URL");
                Add("X-Title", "OPENROUTER_APP_NAME");
                break;
            case "portkey":
                Add("x-portkey-config", "PORTKEY_CONFIG");
                break;
        }

        return headers;
    }

    /// <summary>An OpenAI-compatible server's configured URL given as its bare root (<c>http://host:8001</c>) gets the
    /// <c>/v1</c> its API lives under, so both forms of the setting work.</summary>
    private static Uri WithApiVersion(ProviderDescriptor provider, Uri url) =>
        provider.Protocol == ProviderProtocol.OpenAICompatible && url.AbsolutePath == "/" && string.IsNullOrEmpty(url.Query)
            ? new Uri(url, "/v1")
            : url;

    private static Uri WithoutTrailingSlash(Uri uri) =>
        uri.AbsoluteUri.EndsWith('/') ? new Uri(uri.AbsoluteUri.TrimEnd('/')) : uri;
}

using AbstractCore.Providers;

namespace AbstractCore.Configuration;

/// <summary>A provider key in the file's <c>api_keys</c> section and the setting the gateway reads it as.</summary>
public sealed record ApiKeyEntry(string Provider, string FileKey, string Setting);

/// <summary>A value in the file's <c>server</c> section and the setting the gateway reads it as.</summary>
public sealed record ServerEntry(string FileKey, string Setting);

/// <summary>How the file's sections map onto the settings the gateway reads (the names of the environment variables).</summary>
public static class ConfigFileSettings
{
    public const string ApiKeysSection = "api_keys";
    public const string ServerSection = "server";

    /// <summary>Set (to <c>1|true|yes|on</c>) in the environment, the file is not read by the server.</summary>
    public const string DisableVariable = "ABSTRACTCORE_SERVER_DISABLE_CENTRALIZED_CONFIG";

    public const string AuthToken = "auth_token";
    public const string AllowUnauthenticated = "allow_unauthenticated";
    public const string BaseUrlAllowlist = "base_url_allowlist";
    public const string UrlFetchAllowlist = "url_fetch_allowlist";
    public const string MediaRoot = "media_root";
    public const string AllowLocalFiles = "allow_local_files";
    public const string Host = "host";
    public const string Port = "port";

    /// <summary>
    /// Every catalogued provider that takes a key: <c>openai</c>, <c>openai_compatible</c>, <c>vllm</c>, <c>openrouter</c>,
    /// <c>portkey</c>, <c>anthropic</c>… (file key = provider name with <c>-</c> → <c>_</c>; setting = its first key setting).
    /// </summary>
    public static IReadOnlyList<ApiKeyEntry> ApiKeys { get; } =
    [
        .. ProviderCatalog.All
            .Where(p => p.KeySettingName is not null)
            .Select(p => new ApiKeyEntry(p.Name, FileKeyFor(p.Name), p.KeySettingName!)),
    ];

    public static IReadOnlyList<ServerEntry> Server { get; } =
    [
        new(AuthToken, "ABSTRACTCORE_AUTH_TOKEN"),
        new(AllowUnauthenticated, "ABSTRACTCORE_SERVER_ALLOW_UNAUTHENTICATED"),
        new(BaseUrlAllowlist, "ABSTRACTCORE_SERVER_BASE_URL_ALLOWLIST"),
        new(UrlFetchAllowlist, "ABSTRACTCORE_SERVER_URL_FETCH_ALLOWLIST"),
        new(MediaRoot, "ABSTRACTCORE_SERVER_MEDIA_ROOT"),
        new(AllowLocalFiles, "ABSTRACTCORE_SERVER_ALLOW_LOCAL_FILES"),
        new(Host, "HOST"),
        new(Port, "PORT"),
    ];

    /// <summary>The listen-address entries (<c>host</c>, <c>port</c>).</summary>
    public static bool IsListenAddress(ServerEntry entry) => entry.FileKey is Host or Port;

    /// <summary><c>openai-compatible</c> → <c>openai_compatible</c> (trimmed, lower case).</summary>
    public static string FileKeyFor(string provider) => provider.Trim().ToLowerInvariant().Replace('-', '_');

    /// <summary>The key entry for a provider name as typed (<c>openai-compatible</c> or <c>openai_compatible</c>), or null.</summary>
    public static ApiKeyEntry? FindApiKey(string provider)
    {
        var key = FileKeyFor(provider);
        return ApiKeys.FirstOrDefault(e => e.FileKey == key);
    }

    /// <summary>The file's values under the gateway's setting names; blank values are left out.</summary>
    public static Dictionary<string, string?> ToSettings(ConfigFile file, bool includeListenAddress = true)
    {
        ArgumentNullException.ThrowIfNull(file);
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in ApiKeys)
        {
            if (file.GetText(ApiKeysSection, entry.FileKey) is { } key)
            {
                settings[entry.Setting] = key.Trim();
            }
        }

        foreach (var entry in Server)
        {
            if ((includeListenAddress || !IsListenAddress(entry)) && file.GetText(ServerSection, entry.FileKey) is { } value)
            {
                settings[entry.Setting] = value;
            }
        }

        if (file.Section(Aliases.ModelAliases.FileSection) is { } aliases)
        {
            settings[Aliases.ModelAliases.Setting] = aliases.ToJsonString();
        }

        return settings;
    }
}

using AbstractCore.Cli.Commands;
using AbstractCore.Configuration;

namespace AbstractCore.Cli;

/// <summary>Every option, in the order the usage lists them.</summary>
internal static class CliOptions
{
    public static readonly CliOption ListApiKeys =
        new("--list-api-keys", [], "List provider keys (masked) and where each comes from: env, file or not set.");

    public static readonly CliOption Help = new("--help", [], "Show this help.");

    public static readonly CliOption[] All =
    [
        new("--set-api-key", ["PROVIDER", "KEY"], "Store a provider API key (PROVIDER: {providers}).", ApiKeyCommands.Set),
        new("--clear-api-key", ["PROVIDER"], "Remove a stored provider API key.", ApiKeyCommands.Clear),
        ListApiKeys,
        new("--set-server-auth-token", ["TOKEN"], "Server bearer token clients must send (ABSTRACTCORE_AUTH_TOKEN).", ServerAuthCommands.SetToken),
        new("--clear-server-auth-token", [], "Remove the stored server token.", ServerAuthCommands.ClearToken),
        new("--allow-unauthenticated-server", [], "Allow requests without a server token when none is configured (local/dev only).", ServerAuthCommands.AllowUnauthenticated),
        new("--disallow-unauthenticated-server", [], "Require server auth again (the default).", ServerAuthCommands.DisallowUnauthenticated),
        new("--set-server-base-url-allowlist", ["CSV"], "Hosts/URL prefixes allowed as request-level base_url overrides (blank clears).", AllowlistCommands.SetBaseUrlAllowlist),
        new("--set-server-url-fetch-allowlist", ["CSV"], "Hosts/URL prefixes exempt from the SSRF check on URL fetches (blank clears).", AllowlistCommands.SetUrlFetchAllowlist),
        new("--set-server-media-root", ["PATH"], "Existing directory local file paths in requests are confined to (blank clears).", LocalFileCommands.SetMediaRoot),
        new("--allow-server-local-files", [], "Allow arbitrary local file paths in requests (unsafe).", LocalFileCommands.AllowLocalFiles),
        new("--disallow-server-local-files", [], "Disallow arbitrary local file paths again (the default).", LocalFileCommands.DisallowLocalFiles),
        new("--set-server-host", ["HOST"], "Address the server listens on (HOST), e.g. 127.0.0.1 or 0.0.0.0.", ListenAddressCommands.SetHost),
        new("--set-server-port", ["PORT"], "Port the server listens on (PORT), 1-65535.", ListenAddressCommands.SetPort),
        Help,
    ];

    public static readonly Dictionary<string, CliOption> ByName = All.ToDictionary(o => o.Name, StringComparer.Ordinal);

    /// <summary>The providers' names in the file, comma-separated, for the usage and errors.</summary>
    public static string KnownProviders => string.Join(", ", ConfigFileSettings.ApiKeys.Select(e => e.FileKey));
}

using AbstractCore.Configuration;

namespace AbstractCore.Cli.Commands;

/// <summary><c>--set-server-base-url-allowlist CSV</c> and <c>--set-server-url-fetch-allowlist CSV</c>: every entry is
/// checked, the list is stored comma-joined, blank clears it.</summary>
internal static class AllowlistCommands
{
    public static (Change?, string?) SetBaseUrlAllowlist(string[] values, Func<string, string?> env) =>
        Set(ConfigFileSettings.BaseUrlAllowlist, values[0], env);

    public static (Change?, string?) SetUrlFetchAllowlist(string[] values, Func<string, string?> env) =>
        Set(ConfigFileSettings.UrlFetchAllowlist, values[0], env);

    private static (Change?, string?) Set(string key, string csv, Func<string, string?> env)
    {
        var items = csv.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (items.Length == 0)
        {
            return ServerSetting.Set(key, null, "cleared", env);
        }

        foreach (var item in items)
        {
            if (ItemProblem(item) is { } problem)
            {
                return Change.Fail($"invalid {key} entry '{item}': {problem}.");
            }
        }

        var joined = string.Join(",", items);
        return ServerSetting.Set(key, joined, $"set to {joined}", env);
    }

    /// <summary>Entries are either <c>scheme://host[:port][/path-prefix]</c> or a host glob with an optional <c>:port</c>.</summary>
    private static string? ItemProblem(string item)
    {
        if (item.Any(char.IsWhiteSpace))
        {
            return "contains whitespace";
        }

        if (item.Contains("://", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(item, UriKind.Absolute, out var uri))
            {
                return "not a valid URL";
            }

            if (uri.Scheme is not ("http" or "https"))
            {
                return "only http and https URLs are allowed";
            }

            if (uri.Host.Length == 0)
            {
                return "the URL has no host";
            }

            if (uri.UserInfo.Length > 0)
            {
                return "user info (user@host) is not allowed";
            }

            return item.Contains('#', StringComparison.Ordinal) ? "a #fragment is not allowed" : null;
        }

        return item.IndexOfAny(['/', '@', '\\', '#', '?']) >= 0
            ? "expected a host name or glob (e.g. *.example.com, api.example.com:8443) or a URL with ://"
            : null;
    }
}

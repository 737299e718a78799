using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace AbstractCore.Configuration.Cli;

/// <summary>
/// The <c>abstractcore</c> command line: writes provider keys and server settings into the persisted config file
/// (<see cref="ConfigFile"/>). Every value is validated before anything is written, so a bad value leaves the file
/// untouched; each change rewrites the file atomically with mode 0600. Exit codes: 0 done, 1 the file could not be
/// read or written, 2 bad usage or an invalid value.
/// </summary>
public static class AbstractCoreCli
{
    public const int ExitOk = 0;
    public const int ExitFailed = 1;
    public const int ExitUsage = 2;

    private sealed record Option(string Name, string[] Arguments, string Help);

    private sealed record Change(Action<ConfigFile> Apply, string Message);

    private static readonly Option[] Options =
    [
        new("--set-api-key", ["PROVIDER", "KEY"], "Store a provider API key (PROVIDER: {providers})."),
        new("--clear-api-key", ["PROVIDER"], "Remove a stored provider API key."),
        new("--list-api-keys", [], "List provider keys (masked) and where each comes from: env, file or not set."),
        new("--set-server-auth-token", ["TOKEN"], "Server bearer token clients must send (ABSTRACTCORE_AUTH_TOKEN)."),
        new("--clear-server-auth-token", [], "Remove the stored server token."),
        new("--allow-unauthenticated-server", [], "Allow requests without a server token when none is configured (local/dev only)."),
        new("--disallow-unauthenticated-server", [], "Require server auth again (the default)."),
        new("--set-server-base-url-allowlist", ["CSV"], "Hosts/URL prefixes allowed as request-level base_url overrides (blank clears)."),
        new("--set-server-url-fetch-allowlist", ["CSV"], "Hosts/URL prefixes exempt from the SSRF check on URL fetches (blank clears)."),
        new("--set-server-media-root", ["PATH"], "Existing directory local file paths in requests are confined to (blank clears)."),
        new("--allow-server-local-files", [], "Allow arbitrary local file paths in requests (unsafe)."),
        new("--disallow-server-local-files", [], "Disallow arbitrary local file paths again (the default)."),
        new("--set-server-host", ["HOST"], "Address the server listens on (HOST), e.g. 127.0.0.1 or 0.0.0.0."),
        new("--set-server-port", ["PORT"], "Port the server listens on (PORT), 1-65535."),
        new("--help", [], "Show this help."),
    ];

    private static readonly Dictionary<string, Option> ByName = Options.ToDictionary(o => o.Name, StringComparer.Ordinal);

    private static readonly string[] CliPrefixes = ["--set-", "--clear-", "--list-"];

    /// <summary>
    /// Whether the arguments are a CLI invocation rather than a server start: any known CLI option (also as
    /// <c>--option=value</c>), <c>-h</c>, or an unknown <c>--set-…</c>/<c>--clear-…</c>/<c>--list-…</c> option (so a typo
    /// fails instead of starting the server). The server's own <c>--host</c>, <c>--port</c>, <c>--debug</c> and
    /// <c>--KEY=value</c> settings are not claimed.
    /// </summary>
    public static bool IsCliInvocation(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return args.Any(a =>
            a is "-h" ||
            ByName.ContainsKey(NamePart(a)) ||
            (!a.Contains('=', StringComparison.Ordinal) && CliPrefixes.Any(p => a.StartsWith(p, StringComparison.Ordinal))));
    }

    /// <summary>Runs the CLI. <paramref name="environment"/> stands for the process environment (used when null).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, IDictionary<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        Func<string, string?> env = environment is null
            ? Environment.GetEnvironmentVariable
            : name => environment.TryGetValue(name, out var value) ? value : null;

        if (args.Length == 0)
        {
            stderr.WriteLine("error: nothing to do.");
            stderr.Write(Usage);
            return ExitUsage;
        }

        if (!TryParse(args, out var invocations, out var parseError))
        {
            stderr.WriteLine($"error: {parseError}");
            stderr.Write(Usage);
            return ExitUsage;
        }

        if (invocations.Any(i => i.Option.Name == "--help"))
        {
            stdout.Write(Usage);
            return ExitOk;
        }

        var changes = new List<Change>();
        var errors = new List<string>();
        foreach (var (option, values) in invocations)
        {
            if (option.Name == "--list-api-keys")
            {
                continue;
            }

            var (change, error) = Validate(option, values, env);
            if (error is not null)
            {
                errors.Add(error);
            }
            else
            {
                changes.Add(change!);
            }
        }

        if (errors.Count > 0)
        {
            foreach (var error in errors)
            {
                stderr.WriteLine($"error: {error}");
            }

            stderr.WriteLine("Nothing was written. Run 'abstractcore --help' for usage.");
            return ExitUsage;
        }

        string path;
        ConfigFile file;
        try
        {
            path = ConfigFile.ResolvePath(env);
            file = ConfigFile.Load(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            stderr.WriteLine($"error: cannot read the config file: {e.Message}");
            return ExitFailed;
        }

        if (changes.Count > 0)
        {
            if (file.Problem is not null)
            {
                stderr.WriteLine($"warning: {path}: {file.Problem}; it is backed up and replaced.");
            }

            foreach (var change in changes)
            {
                change.Apply(file);
            }

            try
            {
                var backup = file.Save();
                if (backup is not null)
                {
                    stderr.WriteLine($"warning: the unreadable file was backed up to {backup}");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"error: cannot write the config file {path}: {e.Message}");
                return ExitFailed;
            }

            foreach (var change in changes)
            {
                stdout.WriteLine(change.Message);
            }

            stdout.WriteLine($"Saved {path} (mode 0600).");
        }
        else if (file.Problem is not null)
        {
            stderr.WriteLine($"warning: {path}: {file.Problem}; read as empty.");
        }

        if (invocations.Any(i => i.Option.Name == "--list-api-keys"))
        {
            ListApiKeys(file, env, stdout);
        }

        return ExitOk;
    }

    /// <summary>The usage text.</summary>
    public static string Usage { get; } = BuildUsage();

    /// <summary>A secret as shown: first 3 and last 4 characters (<c>sk-...abcd</c>), or <c>****</c> when shorter than 16.</summary>
    public static string Mask(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return secret.Length < 16 ? "****" : $"{secret[..3]}...{secret[^4..]}";
    }

    private static string NamePart(string arg)
    {
        var eq = arg.IndexOf('=', StringComparison.Ordinal);
        return eq < 0 ? arg : arg[..eq];
    }

    private static bool TryParse(string[] args, out List<(Option Option, string[] Values)> invocations, out string? error)
    {
        invocations = [];
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg == "-h")
            {
                arg = "--help";
            }

            string? inline = null;
            if (!ByName.TryGetValue(arg, out var option))
            {
                var eq = arg.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0 && ByName.TryGetValue(arg[..eq], out option) && option.Arguments.Length == 1)
                {
                    inline = arg[(eq + 1)..];
                }
                else
                {
                    error = arg.StartsWith('-') ? $"unknown option '{arg}'." : $"unexpected argument '{arg}'.";
                    return false;
                }
            }

            if (inline is not null)
            {
                invocations.Add((option, [inline]));
                continue;
            }

            var values = new string[option.Arguments.Length];
            for (var v = 0; v < values.Length; v++)
            {
                if (i + 1 >= args.Length || ByName.ContainsKey(NamePart(args[i + 1])) || args[i + 1] == "-h")
                {
                    error = $"{option.Name} needs {string.Join(" ", option.Arguments)}.";
                    return false;
                }

                values[v] = args[++i];
            }

            invocations.Add((option, values));
        }

        return true;
    }

    private static (Change? Change, string? Error) Validate(Option option, string[] values, Func<string, string?> env)
    {
        switch (option.Name)
        {
            case "--set-api-key":
            {
                var entry = ConfigFileSettings.FindApiKey(values[0]);
                if (entry is null)
                {
                    return Fail($"unknown provider '{values[0]}'. Known providers: {KnownProviders}.");
                }

                var key = values[1].Trim();
                if (key.Length == 0)
                {
                    return Fail($"the key for {entry.FileKey} is empty; use --clear-api-key {entry.FileKey} to remove it.");
                }

                return Ok(
                    f => f.EnsureSection(ConfigFileSettings.ApiKeysSection)[entry.FileKey] = key,
                    $"api_keys.{entry.FileKey} set ({Mask(key)}).{EnvNote(entry.Setting, env)}");
            }

            case "--clear-api-key":
            {
                var entry = ConfigFileSettings.FindApiKey(values[0]);
                return entry is null
                    ? Fail($"unknown provider '{values[0]}'. Known providers: {KnownProviders}.")
                    : Ok(f => f.Section(ConfigFileSettings.ApiKeysSection)?.Remove(entry.FileKey),
                        $"api_keys.{entry.FileKey} cleared.{EnvNote(entry.Setting, env)}");
            }

            case "--set-server-auth-token":
            {
                var token = values[0].Trim();
                return token.Length == 0
                    ? Fail("the server auth token is empty; use --clear-server-auth-token to remove it.")
                    : SetServer(ConfigFileSettings.AuthToken, token, $"set ({Mask(token)})", env);
            }

            case "--clear-server-auth-token":
                return SetServer(ConfigFileSettings.AuthToken, null, "cleared", env);

            case "--allow-unauthenticated-server":
                return SetServer(ConfigFileSettings.AllowUnauthenticated, true, "set to true", env);

            case "--disallow-unauthenticated-server":
                return SetServer(ConfigFileSettings.AllowUnauthenticated, false, "set to false", env);

            case "--allow-server-local-files":
                return SetServer(ConfigFileSettings.AllowLocalFiles, true, "set to true", env);

            case "--disallow-server-local-files":
                return SetServer(ConfigFileSettings.AllowLocalFiles, false, "set to false", env);

            case "--set-server-base-url-allowlist":
                return SetAllowlist(ConfigFileSettings.BaseUrlAllowlist, values[0], env);

            case "--set-server-url-fetch-allowlist":
                return SetAllowlist(ConfigFileSettings.UrlFetchAllowlist, values[0], env);

            case "--set-server-media-root":
            {
                var raw = values[0].Trim();
                if (raw.Length == 0)
                {
                    return SetServer(ConfigFileSettings.MediaRoot, null, "cleared", env);
                }

                string full;
                try
                {
                    full = Path.GetFullPath(ConfigFile.ExpandHome(raw, env));
                }
                catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
                {
                    return Fail($"invalid media root '{raw}': {e.Message}");
                }

                return Directory.Exists(full)
                    ? SetServer(ConfigFileSettings.MediaRoot, full, $"set to {full}", env)
                    : Fail($"the media root '{raw}' is not an existing directory.");
            }

            case "--set-server-host":
            {
                var host = values[0].Trim();
                if (host.Length == 0 || !IsValidHost(host))
                {
                    return Fail($"invalid host '{values[0]}': expected a host name or IP address such as 127.0.0.1 or 0.0.0.0.");
                }

                // The server builds http://HOST:PORT, so an IPv6 literal is stored in brackets.
                if (IPAddress.TryParse(host, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
                    && !host.StartsWith('['))
                {
                    host = $"[{host}]";
                }

                return SetServer(ConfigFileSettings.Host, host, $"set to {host}", env);
            }

            case "--set-server-port":
            {
                var text = values[0].Trim();
                return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535
                    ? SetServer(ConfigFileSettings.Port, port, $"set to {port}", env)
                    : Fail($"invalid port '{values[0]}': expected a whole number from 1 to 65535.");
            }

            default:
                return Fail($"unsupported option {option.Name}.");
        }
    }

    private static string KnownProviders => string.Join(", ", ConfigFileSettings.ApiKeys.Select(e => e.FileKey));

    private static (Change?, string?) Ok(Action<ConfigFile> apply, string message) => (new Change(apply, message), null);

    private static (Change?, string?) Fail(string error) => (null, error);

    private static (Change?, string?) SetServer(string key, JsonNode? value, string what, Func<string, string?> env)
    {
        var setting = ConfigFileSettings.Server.First(e => e.FileKey == key).Setting;
        return Ok(
            f =>
            {
                if (value is null)
                {
                    f.Section(ConfigFileSettings.ServerSection)?.Remove(key);
                }
                else
                {
                    f.EnsureSection(ConfigFileSettings.ServerSection)[key] = value;
                }
            },
            $"server.{key} {what}.{EnvNote(setting, env)}");
    }

    private static (Change?, string?) SetAllowlist(string key, string csv, Func<string, string?> env)
    {
        var items = csv.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (items.Length == 0)
        {
            return SetServer(key, null, "cleared", env);
        }

        foreach (var item in items)
        {
            if (AllowlistItemProblem(item) is { } problem)
            {
                return Fail($"invalid {key} entry '{item}': {problem}.");
            }
        }

        var joined = string.Join(",", items);
        return SetServer(key, joined, $"set to {joined}", env);
    }

    /// <summary>Entries are either <c>scheme://host[:port][/path-prefix]</c> or a host glob with an optional <c>:port</c>.</summary>
    private static string? AllowlistItemProblem(string item)
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

    private static bool IsValidHost(string host)
    {
        if (host is "*" or "+")
        {
            return true;
        }

        var bare = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        return Uri.CheckHostName(bare) != UriHostNameType.Unknown;
    }

    private static string EnvNote(string setting, Func<string, string?> env) =>
        string.IsNullOrWhiteSpace(env(setting))
            ? ""
            : $" Note: {setting} is set in the environment and takes precedence over the file.";

    private static void ListApiKeys(ConfigFile file, Func<string, string?> env, TextWriter stdout)
    {
        stdout.WriteLine($"Provider API keys (environment wins over the config file {file.Path}):");
        var width = ConfigFileSettings.ApiKeys.Select(e => e.FileKey.Length).DefaultIfEmpty(0).Max() + 2;
        foreach (var entry in ConfigFileSettings.ApiKeys)
        {
            var fromEnv = env(entry.Setting)?.Trim();
            var fromFile = file.GetText(ConfigFileSettings.ApiKeysSection, entry.FileKey)?.Trim();
            string shown;
            if (!string.IsNullOrEmpty(fromEnv))
            {
                shown = $"{Mask(fromEnv),-14} env ({entry.Setting}){(fromFile is null ? "" : "; the file's key is overridden")}";
            }
            else if (!string.IsNullOrEmpty(fromFile))
            {
                shown = $"{Mask(fromFile),-14} file";
            }
            else
            {
                shown = "not set";
            }

            stdout.WriteLine($"  {entry.FileKey.PadRight(width)}{shown}");
        }

        var known = ConfigFileSettings.ApiKeys.Select(e => e.FileKey).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, value) in file.Section(ConfigFileSettings.ApiKeysSection) ?? [])
        {
            if (!known.Contains(name) && ConfigFile.AsText(value) is { } other)
            {
                stdout.WriteLine($"  {name.PadRight(width)}{Mask(other),-14} file (not used by this gateway)");
            }
        }
    }

    private static string BuildUsage()
    {
        var text = new StringBuilder();
        text.AppendLine("Usage: abstractcore [options]");
        text.AppendLine("       dotnet run --project AbstractCore.Api -- [options]");
        text.AppendLine();
        text.AppendLine("Writes provider keys and server settings to the AbstractCore config file:");
        text.AppendLine("  ABSTRACTCORE_CONFIG_FILE, else $ABSTRACTCORE_CONFIG_DIR/abstractcore.json, else ~/.abstractcore/config/abstractcore.json");
        text.AppendLine("The file is rewritten atomically with mode 0600. Environment variables always win over it;");
        text.AppendLine("ABSTRACTCORE_SERVER_DISABLE_CENTRALIZED_CONFIG=1 makes the server ignore it.");
        text.AppendLine();
        text.AppendLine("Options:");
        var rows = Options.Select(o => (Left: string.Join(" ", [o.Name, .. o.Arguments]), Help: o.Help.Replace("{providers}", KnownProviders, StringComparison.Ordinal))).ToArray();
        var width = rows.Max(r => r.Left.Length) + 2;
        foreach (var (left, help) in rows)
        {
            text.Append("  ").Append(left.PadRight(width)).AppendLine(help);
        }

        text.AppendLine();
        text.AppendLine("Several options can be combined; nothing is written unless all of them are valid.");
        text.AppendLine("Exit codes: 0 done, 1 the file could not be read or written, 2 bad usage or an invalid value.");
        text.AppendLine();
        text.AppendLine("Starting the server (AbstractCore.Api) takes --host HOST, --port PORT and --debug instead.");
        return text.ToString();
    }
}

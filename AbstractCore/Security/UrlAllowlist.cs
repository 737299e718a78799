using System.Text.RegularExpressions;

namespace AbstractCore.Security;

/// <summary>
/// An operator's allowlist (<c>ABSTRACTCORE_SERVER_BASE_URL_ALLOWLIST</c>, <c>ABSTRACTCORE_SERVER_URL_FETCH_ALLOWLIST</c>):
/// comma-separated entries. An entry with <c>://</c> is a URL prefix (scheme, host, port, optional query and a
/// path-segment prefix); any other entry is a host glob with an optional port. Entries that cannot be read
/// are dropped, so a typo narrows the list rather than widening it.
/// </summary>
public sealed class UrlAllowlist
{
    public const string BaseUrlSetting = "ABSTRACTCORE_SERVER_BASE_URL_ALLOWLIST";
    public const string UrlFetchSetting = "ABSTRACTCORE_SERVER_URL_FETCH_ALLOWLIST";

    private readonly IReadOnlyList<Entry> _entries;

    private UrlAllowlist(IReadOnlyList<Entry> entries) => _entries = entries;

    public static UrlAllowlist Empty { get; } = new([]);

    /// <summary>Number of usable entries.</summary>
    public int Count => _entries.Count;

    public static UrlAllowlist Parse(string? commaSeparated)
    {
        if (string.IsNullOrWhiteSpace(commaSeparated))
        {
            return Empty;
        }

        var entries = new List<Entry>();
        foreach (var item in commaSeparated.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            Entry? entry = item.Contains("://", StringComparison.Ordinal) ? UrlEntry.TryCreate(item) : HostEntry.TryCreate(item);
            if (entry is not null)
            {
                entries.Add(entry);
            }
        }

        return new UrlAllowlist(entries);
    }

    /// <summary>True when an http(s) target without userinfo matches one entry.</summary>
    public bool Matches(Uri target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (_entries.Count == 0 || !target.IsAbsoluteUri ||
            (target.Scheme != Uri.UriSchemeHttp && target.Scheme != Uri.UriSchemeHttps) ||
            target.UserInfo.Length > 0 || string.IsNullOrEmpty(target.IdnHost))
        {
            return false;
        }

        var host = UrlCanonical.Host(target);
        return _entries.Any(e => e.Matches(target, host));
    }

    /// <summary>String form of <see cref="Matches(Uri)"/>: false for anything that is not an absolute http(s) URL.</summary>
    public bool Matches(string target) => UrlCanonical.ParseHttp(target) is { } uri && Matches(uri);

    private abstract class Entry
    {
        public abstract bool Matches(Uri target, string canonicalHost);
    }

    private sealed class UrlEntry : Entry
    {
        private readonly string _scheme;
        private readonly string _host;
        private readonly int _port;
        private readonly string? _query;
        private readonly string _path;

        private UrlEntry(string scheme, string host, int port, string? query, string path)
        {
            _scheme = scheme;
            _host = host;
            _port = port;
            _query = query;
            _path = path;
        }

        public static UrlEntry? TryCreate(string item)
        {
            if (item.Contains('#', StringComparison.Ordinal) || UrlCanonical.ParseHttp(item) is not { } uri ||
                uri.UserInfo.Length > 0 || UrlCanonical.Path(uri.AbsolutePath) is not { } path)
            {
                return null;
            }

            // A trailing slash on the entry is not part of the prefix: "/v1/" allows "/v1" and "/v1/models".
            var prefix = path == "/" ? "/" : path.TrimEnd('/');
            var query = uri.Query.Length > 1 ? uri.Query[1..] : null;
            return new UrlEntry(uri.Scheme, UrlCanonical.Host(uri), uri.Port, query, prefix.Length == 0 ? "/" : prefix);
        }

        public override bool Matches(Uri target, string canonicalHost)
        {
            if (target.Scheme != _scheme || canonicalHost != _host || target.Port != _port)
            {
                return false;
            }

            if (_query is not null && (target.Query.Length > 1 ? target.Query[1..] : "") != _query)
            {
                return false;
            }

            if (_path == "/")
            {
                return true;
            }

            if (UrlCanonical.Path(target.AbsolutePath) is not { } path)
            {
                return false;
            }

            return path.TrimEnd('/') == _path || path.StartsWith(_path + "/", StringComparison.Ordinal);
        }
    }

    private sealed class HostEntry : Entry
    {
        private readonly string? _host;
        private readonly Regex? _glob;
        private readonly int? _port;

        private HostEntry(string? host, Regex? glob, int? port)
        {
            _host = host;
            _glob = glob;
            _port = port;
        }

        public static HostEntry? TryCreate(string item)
        {
            var text = item.ToLowerInvariant();
            string host;
            string? portText = null;
            if (text.StartsWith('['))
            {
                var close = text.IndexOf(']', StringComparison.Ordinal);
                if (close < 0)
                {
                    return null;
                }

                host = text[1..close];
                var rest = text[(close + 1)..];
                if (rest.Length > 0)
                {
                    if (rest[0] != ':')
                    {
                        return null;
                    }

                    portText = rest[1..];
                }
            }
            else if (text.Count(c => c == ':') == 1)
            {
                var colon = text.IndexOf(':', StringComparison.Ordinal);
                host = text[..colon];
                portText = text[(colon + 1)..];
            }
            else
            {
                host = text; // a name, or an IPv6 address written without brackets (and so without port)
            }

            int? port = null;
            if (portText is not null)
            {
                if (!int.TryParse(portText, System.Globalization.NumberStyles.None, null, out var p) || p is < 1 or > 65535)
                {
                    return null;
                }

                port = p;
            }

            host = host.Trim().TrimEnd('.');
            if (host.Length == 0)
            {
                return null;
            }

            if (HostGlob.HasWildcards(host))
            {
                return new HostEntry(null, HostGlob.Compile(host), port);
            }

            return UrlCanonical.Host(host) is { } canonical ? new HostEntry(canonical, null, port) : null;
        }

        public override bool Matches(Uri target, string canonicalHost)
        {
            if (_port is { } port && port != target.Port)
            {
                return false;
            }

            return _glob is not null ? _glob.IsMatch(canonicalHost) : canonicalHost == _host;
        }
    }
}

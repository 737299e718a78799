using System.Net;
using System.Text;

namespace AbstractCore.Security;

/// <summary>
/// The canonical forms the allowlist compares. Targets are read through <see cref="Uri"/> because that is what
/// the HTTP client sends and connects to: judging any other reading of the string would open a parser gap.
/// </summary>
internal static class UrlCanonical
{
    /// <summary>An absolute http(s) URL with a host, or null.</summary>
    public static Uri? ParseHttp(string? url)
    {
        if (string.IsNullOrWhiteSpace(url) ||
            !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) ||
            (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) ||
            string.IsNullOrEmpty(uri.IdnHost))
        {
            return null;
        }

        return uri;
    }

    /// <summary>The host as a resolver or a socket needs it: IDNA ASCII, no brackets, no zone.</summary>
    public static string HostForLookup(Uri uri)
    {
        var host = uri.IdnHost;
        if (uri.HostNameType == UriHostNameType.IPv6)
        {
            host = host.Trim('[', ']');
            var zone = host.IndexOf('%', StringComparison.Ordinal);
            if (zone >= 0)
            {
                host = host[..zone];
            }
        }

        return host;
    }

    /// <summary>Trimmed, trailing dot stripped, lower case; an IP in its compressed form; a name in IDNA ASCII.</summary>
    public static string Host(Uri uri)
    {
        var host = HostForLookup(uri).Trim().TrimEnd('.').ToLowerInvariant();
        return uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 && IPAddress.TryParse(host, out var ip)
            ? ip.ToString()
            : host;
    }

    /// <summary>A bare host (allowlist entry) in the same canonical form as <see cref="Host(Uri)"/>, or null.</summary>
    public static string? Host(string host)
    {
        var trimmed = host.Trim().TrimEnd('.');
        if (trimmed.Length == 0)
        {
            return null;
        }

        var bracketed = trimmed.Contains(':', StringComparison.Ordinal) ? $"[{trimmed}]" : trimmed;
        return Uri.TryCreate($"http://{bracketed}/", UriKind.Absolute, out var uri) && uri.PathAndQuery == "/" &&
               uri.UserInfo.Length == 0 && uri.Fragment.Length == 0 && uri.IsDefaultPort
            ? Host(uri)
            : null;
    }

    /// <summary>
    /// Leading <c>/</c>, percent-decoded until stable (at most 3 rounds), <c>\</c> as <c>/</c>, dot segments
    /// removed as POSIX normpath does, trailing slash kept. Null when a 4th round would still decode something:
    /// a path encoded that deep is refused rather than guessed at.
    /// </summary>
    public static string? Path(string path)
    {
        var p = string.IsNullOrEmpty(path) ? "/" : path;
        if (p[0] != '/')
        {
            p = "/" + p;
        }

        var rounds = 0;
        while (true)
        {
            var decoded = Uri.UnescapeDataString(p);
            if (decoded == p)
            {
                break;
            }

            if (++rounds > 3)
            {
                return null;
            }

            p = decoded;
        }

        p = p.Replace('\\', '/');
        var trailingSlash = p.EndsWith('/');
        p = NormPath(p);
        return trailingSlash && !p.EndsWith('/') ? p + "/" : p;
    }

    /// <summary>POSIX normpath for an absolute path: exactly two leading slashes are kept, as POSIX allows.</summary>
    private static string NormPath(string path)
    {
        var prefix = path.StartsWith("//", StringComparison.Ordinal) && !path.StartsWith("///", StringComparison.Ordinal)
            ? "//"
            : "/";
        var segments = new List<string>();
        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (segments.Count > 0)
                {
                    segments.RemoveAt(segments.Count - 1);
                }

                continue;
            }

            segments.Add(segment);
        }

        var result = new StringBuilder(prefix);
        result.AppendJoin('/', segments);
        return result.ToString();
    }
}

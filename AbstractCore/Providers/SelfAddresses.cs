using System.Net;

namespace AbstractCore.Providers;

/// <summary>
/// The addresses this server listens on (read when asked: they are known only once the server has started), to catch a
/// provider base URL that points back at the gateway itself (vLLM's default <c>http://localhost:8000/v1</c> is also the
/// gateway's default address), which would otherwise loop and fail with a confusing auth error.
/// </summary>
public sealed class SelfAddresses(Func<IEnumerable<string>> listening)
{
    /// <summary>The bound address <paramref name="url"/> reaches, or null. Loopback names, <c>0.0.0.0</c> and <c>[::]</c>
    /// count as this machine; a wildcard binding (<c>0.0.0.0</c>, <c>[::]</c>, <c>+</c>, <c>*</c>) matches any of them.</summary>
    public string? Match(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        foreach (var address in listening())
        {
            // Kestrel reports wildcards as http://[::]:8000 or http://+:8000; make them parseable.
            var parseable = address.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal);
            if (!Uri.TryCreate(parseable, UriKind.Absolute, out var bound) || bound.Port != url.Port ||
                !string.Equals(bound.Scheme, url.Scheme, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (string.Equals(bound.IdnHost, url.IdnHost, StringComparison.OrdinalIgnoreCase) ||
                ((IsWildcard(bound.IdnHost) || IsLocal(bound.IdnHost)) && IsLocal(url.IdnHost)))
            {
                return address;
            }
        }

        return null;
    }

    private static bool IsWildcard(string host) => host is "0.0.0.0" or "::" or "[::]";

    private static bool IsLocal(string host) =>
        IsWildcard(host) || string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) ||
        (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}

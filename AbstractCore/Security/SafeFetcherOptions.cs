using System.Net;
using Microsoft.Extensions.Configuration;

namespace AbstractCore.Security;

/// <summary>Settings of a <see cref="SafeFetcher"/>. Defaults are the spec's (§2.5): 10 MB, 30 s, 5 redirects.</summary>
public sealed record SafeFetcherOptions
{
    /// <summary>URLs allowed whatever their addresses (<c>ABSTRACTCORE_SERVER_URL_FETCH_ALLOWLIST</c>).</summary>
    public UrlAllowlist Allowlist { get; init; } = UrlAllowlist.Empty;

    public long MaxBytes { get; init; } = MediaLimits.MaxFileBytes;

    /// <summary>For the whole download, redirects included.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    public int MaxRedirects { get; init; } = 5;

    public HostResolver Resolver { get; init; } = HostResolvers.System;

    /// <summary>
    /// Opens the TCP stream to an address that already passed the checks. Replaceable so tests can see (and
    /// veto) every endpoint the fetcher would reach; the default is a plain socket.
    /// </summary>
    public Func<IPEndPoint, CancellationToken, ValueTask<Stream>> Connector { get; init; } = DirectConnect.SocketAsync;

    public static SafeFetcherOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return new SafeFetcherOptions { Allowlist = UrlAllowlist.Parse(configuration[UrlAllowlist.UrlFetchSetting]) };
    }
}

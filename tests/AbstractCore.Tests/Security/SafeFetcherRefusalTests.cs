using System.Net;
using System.Net.Sockets;
using AbstractCore.Security;

namespace AbstractCore.Tests.Security;

/// <summary>
/// Targets the fetcher must refuse. Each case runs a counting listener on the loopback address the URL
/// would reach, and asserts the 403 and that neither the connector nor the listener saw a connection.
/// </summary>
public sealed class SafeFetcherRefusalTests
{
    private const string Dns =
        "localhost=127.0.0.1|::1;evil.test=127.0.0.1;mixed.test=93.184.216.34|127.0.0.1;meta.test=169.254.169.254;" +
        "v6.test=::1;mapped.test=::ffff:10.0.0.1;cgnat.test=100.64.0.1;ula.test=fc00::1;zero.test=0.0.0.0;" +
        "private.test=192.168.1.10";

    [Theory]
    // IPv4 loopback in every spelling System.Uri accepts: it turns them all into 127.0.0.1.
    [InlineData("http://127.0.0.1:{port}/", "127.0.0.1")]
    [InlineData("http://2130706433:{port}/", "127.0.0.1")]
    [InlineData("http://0177.0.0.1:{port}/", "127.0.0.1")]
    [InlineData("http://0x7f000001:{port}/", "127.0.0.1")]
    [InlineData("http://0x7f.1:{port}/", "127.0.0.1")]
    [InlineData("http://127.1:{port}/", "127.0.0.1")]
    [InlineData("http://017700000001:{port}/", "127.0.0.1")]
    [InlineData("http://127.0.0.2:{port}/", "127.0.0.2")]
    [InlineData("https://127.0.0.1:{port}/", "127.0.0.1")]
    // IPv6 loopback and IPv4 embedded in IPv6.
    [InlineData("http://[::1]:{port6}/", "::1")]
    [InlineData("http://[0:0:0:0:0:0:0:1]:{port6}/", "::1")]
    [InlineData("http://[::ffff:127.0.0.1]:{port}/", "::ffff:127.0.0.1")]
    [InlineData("http://[::ffff:7f00:1]:{port}/", "::ffff:127.0.0.1")]
    [InlineData("http://[::127.0.0.1]:{port}/", "::127.0.0.1")]
    [InlineData("http://[64:ff9b::7f00:1]:{port}/", "64:ff9b::7f00:1")]
    [InlineData("http://[::]:{port}/", "::")]
    // "This host": Linux connects 0.0.0.0 to the local machine.
    [InlineData("http://0.0.0.0:{port}/", "0.0.0.0")]
    [InlineData("http://0:{port}/", "0.0.0.0")]
    // Private, link-local, shared, reserved, multicast, documentation.
    [InlineData("http://169.254.169.254:{port}/latest/meta-data/", "169.254.169.254")]
    [InlineData("http://[::ffff:169.254.169.254]:{port}/", "::ffff:169.254.169.254")]
    [InlineData("http://100.64.0.1:{port}/", "100.64.0.1")]
    [InlineData("http://10.0.0.1:{port}/", "10.0.0.1")]
    [InlineData("http://172.16.0.1:{port}/", "172.16.0.1")]
    [InlineData("http://192.168.0.1:{port}/", "192.168.0.1")]
    [InlineData("http://[fc00::1]:{port}/", "fc00::1")]
    [InlineData("http://[fd00::1]:{port}/", "fd00::1")]
    [InlineData("http://[fe80::1]:{port}/", "fe80::1")]
    [InlineData("http://224.0.0.1:{port}/", "224.0.0.1")]
    [InlineData("http://240.0.0.1:{port}/", "240.0.0.1")]
    [InlineData("http://255.255.255.255:{port}/", "255.255.255.255")]
    [InlineData("http://198.18.0.1:{port}/", "198.18.0.1")]
    [InlineData("http://192.0.2.1:{port}/", "192.0.2.1")]
    [InlineData("http://[2002:7f00:1::1]:{port}/", "2002:7f00:1::1")]
    [InlineData("http://[2001::1]:{port}/", "2001::1")]
    // Names that resolve (through the injected resolver) to addresses that are not public.
    [InlineData("http://localhost:{port}/", "127.0.0.1")]
    [InlineData("http://LOCALHOST.:{port}/", "127.0.0.1")]
    [InlineData("http://evil.test:{port}/image.png", "127.0.0.1")]
    [InlineData("http://mixed.test:{port}/", "127.0.0.1")]
    [InlineData("http://meta.test:{port}/", "169.254.169.254")]
    [InlineData("http://v6.test:{port6}/", "::1")]
    [InlineData("http://mapped.test:{port}/", "::ffff:10.0.0.1")]
    [InlineData("http://cgnat.test:{port}/", "100.64.0.1")]
    [InlineData("http://ula.test:{port}/", "fc00::1")]
    [InlineData("http://zero.test:{port}/", "0.0.0.0")]
    [InlineData("http://private.test:{port}/", "192.168.1.10")]
    public async Task Refuses_non_public_targets_without_connecting(string template, string reported)
    {
        await using var v4 = new LoopbackServer(IPAddress.Loopback);
        await using var v6 = TryIPv6Listener();
        var url = template.Replace("{port}", v4.Port.ToString()).Replace("{port6}", (v6?.Port ?? v4.Port).ToString());
        var connector = new RecordingConnector();
        using var fetcher = new SafeFetcher(new SafeFetcherOptions
        {
            Resolver = FakeDns.Table(Dns),
            Connector = connector.ConnectAsync,
        });

        var ex = await Assert.ThrowsAsync<GatewayException>(() => fetcher.FetchAsync(url, CancellationToken.None));

        Assert.Equal(403, ex.Status);
        Assert.Equal("forbidden", ex.Type);
        Assert.StartsWith("Refusing to fetch non-public URL target (SSRF protection). Host=", ex.Message);
        Assert.Contains($" resolved to {reported}. ", ex.Message);
        Assert.EndsWith("To allow this, set ABSTRACTCORE_SERVER_URL_FETCH_ALLOWLIST with an explicit allowlist.", ex.Message);
        Assert.Empty(connector.Attempts);
        Assert.Equal(0, v4.Accepted);
        Assert.Equal(0, v6?.Accepted ?? 0);
    }

    [Fact]
    public async Task Names_the_host_as_written()
    {
        await using var target = new LoopbackServer(IPAddress.Loopback);
        using var fetcher = new SafeFetcher(new SafeFetcherOptions { Resolver = FakeDns.Table(Dns) });

        var ex = await Assert.ThrowsAsync<GatewayException>(
            () => fetcher.FetchAsync($"http://evil.test:{target.Port}/", CancellationToken.None));

        Assert.Contains("Host=evil.test resolved to 127.0.0.1.", ex.Message);
        Assert.Equal(0, target.Accepted);
    }

    [Theory]
    [InlineData("http://nowhere.test/", "nowhere.test")]
    [InlineData("https://nowhere.test:8443/x", "nowhere.test")]
    public async Task A_name_without_addresses_is_refused(string url, string host)
    {
        var connector = new RecordingConnector();
        using var fetcher = new SafeFetcher(new SafeFetcherOptions { Resolver = FakeDns.Table(Dns), Connector = connector.ConnectAsync });

        var ex = await Assert.ThrowsAsync<GatewayException>(() => fetcher.FetchAsync(url, CancellationToken.None));

        Assert.Equal(403, ex.Status);
        Assert.Equal($"URL host did not resolve: {host}", ex.Message);
        Assert.Empty(connector.Attempts);
    }

    [Theory]
    [InlineData("", "Empty URL")]
    [InlineData("   ", "Empty URL")]
    [InlineData(null, "Empty URL")]
    [InlineData("ftp://example.com/file.txt", "Only http/https URLs are allowed")]
    [InlineData("file:///etc/passwd", "Only http/https URLs are allowed")]
    [InlineData("gopher://127.0.0.1:11211/", "Only http/https URLs are allowed")]
    [InlineData("javascript:alert(1)", "Only http/https URLs are allowed")]
    [InlineData("/etc/passwd", "Only http/https URLs are allowed")]
    [InlineData("example.com/image.png", "Only http/https URLs are allowed")]
    [InlineData("http:///etc/passwd", "Invalid URL (missing host)")]
    [InlineData("http:/example.com/x", "Invalid URL (missing host)")]
    [InlineData("http://:80/", "Invalid URL (missing host)")]
    [InlineData("https://user@/x", "Invalid URL (missing host)")]
    [InlineData("http://example.com:99999/", "Invalid URL")]
    [InlineData("http://example.com:0/", "Invalid URL")]
    [InlineData("http://example.com:port/", "Invalid URL")]
    [InlineData("http://[::1/", "Invalid URL")]
    public async Task Malformed_urls_are_400_with_the_original_messages(string? url, string message)
    {
        var connector = new RecordingConnector();
        using var fetcher = new SafeFetcher(new SafeFetcherOptions { Resolver = FakeDns.Never, Connector = connector.ConnectAsync });

        var ex = await Assert.ThrowsAsync<GatewayException>(() => fetcher.FetchAsync(url!, CancellationToken.None));

        Assert.Equal(400, ex.Status);
        Assert.Equal(message, ex.Message);
        Assert.Empty(connector.Attempts);
    }

    [Fact]
    public async Task Rebinding_a_name_to_loopback_between_check_and_connect_is_refused_at_connect()
    {
        await using var target = new LoopbackServer(IPAddress.Loopback);
        var dns = new RebindingDns(IPAddress.Parse("93.184.216.34"), IPAddress.Loopback);
        var connector = new RecordingConnector();
        using var fetcher = new SafeFetcher(new SafeFetcherOptions { Resolver = dns.ResolveAsync, Connector = connector.ConnectAsync });

        var ex = await Assert.ThrowsAsync<GatewayException>(
            () => fetcher.FetchAsync($"http://rebind.test:{target.Port}/", CancellationToken.None));

        Assert.Equal(403, ex.Status);
        Assert.Contains("Host=rebind.test resolved to 127.0.0.1.", ex.Message);
        Assert.Equal(2, dns.Calls); // the pre-check saw the public answer; the connect callback asked again
        Assert.Empty(connector.Attempts);
        Assert.Equal(0, target.Accepted);
    }

    [Fact]
    public async Task Rebinding_to_the_metadata_address_is_refused_at_connect()
    {
        var dns = new RebindingDns(IPAddress.Parse("93.184.216.34"), IPAddress.Parse("169.254.169.254"));
        var connector = new RecordingConnector();
        using var fetcher = new SafeFetcher(new SafeFetcherOptions { Resolver = dns.ResolveAsync, Connector = connector.ConnectAsync });

        var ex = await Assert.ThrowsAsync<GatewayException>(
            () => fetcher.FetchAsync("http://rebind.test/latest/meta-data/", CancellationToken.None));

        Assert.Equal(403, ex.Status);
        Assert.Contains("resolved to 169.254.169.254.", ex.Message);
        Assert.Empty(connector.Attempts);
    }

    private static LoopbackServer? TryIPv6Listener()
    {
        if (!Socket.OSSupportsIPv6)
        {
            return null;
        }

        try
        {
            return new LoopbackServer(IPAddress.IPv6Loopback);
        }
        catch (SocketException)
        {
            return null;
        }
    }
}

using System.Net;
using System.Text;
using AbstractCore.Security;
using Microsoft.Extensions.Configuration;

namespace AbstractCore.Tests.Security;

/// <summary>Downloads from allowlisted loopback servers: redirects, size cap, errors, timeout.</summary>
public sealed class SafeFetcherDownloadTests
{
    private static SafeFetcher Fetcher(string allowlist, RecordingConnector? connector = null, long? maxBytes = null,
        TimeSpan? timeout = null, HostResolver? resolver = null)
    {
        var options = new SafeFetcherOptions
        {
            Allowlist = UrlAllowlist.Parse(allowlist),
            Resolver = resolver ?? FakeDns.Table("localhost=127.0.0.1"),
            Connector = (connector ?? new RecordingConnector()).ConnectAsync,
        };
        if (maxBytes is { } max)
        {
            options = options with { MaxBytes = max };
        }

        if (timeout is { } t)
        {
            options = options with { Timeout = t };
        }

        return new SafeFetcher(options);
    }

    [Fact]
    public async Task An_allowlisted_loopback_url_is_fetched_with_the_original_headers()
    {
        await using var server = LoopbackServer.Answering(_ =>
            LoopbackServer.Response(200, "hello", "Content-Type: text/plain; charset=utf-8\r\n"));
        using var fetcher = Fetcher($"127.0.0.1:{server.Port}");

        var file = await fetcher.FetchAsync($"http://127.0.0.1:{server.Port}/docs/notes%20v1.txt?x=1", CancellationToken.None);

        Assert.Equal("hello", Encoding.UTF8.GetString(file.Content));
        Assert.Equal("text/plain; charset=utf-8", file.ContentType);
        Assert.Equal("notes v1.txt", file.FileName);
        Assert.True(server.Requests.TryDequeue(out var head));
        Assert.Contains("User-Agent: Mozilla/5.0 (AbstractCore Server)\r\n", head);
        Assert.Contains("Accept: */*\r\n", head);
        Assert.Contains("Connection: close\r\n", head); // an unchecked connection is not pooled
    }

    [Fact]
    public async Task An_allowlisted_ipv6_loopback_url_is_fetched()
    {
        if (!System.Net.Sockets.Socket.OSSupportsIPv6)
        {
            return;
        }

        LoopbackServer server;
        try
        {
            server = new LoopbackServer(IPAddress.IPv6Loopback, async (_, stream, ct) =>
                await stream.WriteAsync(Encoding.UTF8.GetBytes(LoopbackServer.Response(200, "six")), ct));
        }
        catch (System.Net.Sockets.SocketException)
        {
            return; // no IPv6 loopback on this machine
        }

        await using (server)
        {
            var connector = new RecordingConnector();
            using var fetcher = Fetcher($"[::1]:{server.Port}", connector);

            var file = await fetcher.FetchAsync($"http://[::1]:{server.Port}/a.txt", CancellationToken.None);

            Assert.Equal("six", Encoding.UTF8.GetString(file.Content));
            Assert.Equal(IPAddress.IPv6Loopback, Assert.Single(connector.Attempts).Address);
        }
    }

    [Fact]
    public async Task An_allowlisted_name_is_resolved_through_the_injected_resolver()
    {
        await using var server = LoopbackServer.Answering(_ => LoopbackServer.Response(200, "named"));
        var connector = new RecordingConnector();
        using var fetcher = Fetcher("*.internal.test", connector, resolver: FakeDns.Table("media.internal.test=127.0.0.1"));

        var file = await fetcher.FetchAsync($"http://media.internal.test:{server.Port}/x.bin", CancellationToken.None);

        Assert.Equal("named", Encoding.UTF8.GetString(file.Content));
        Assert.Equal(1, server.Accepted);
        Assert.True(server.Requests.TryDequeue(out var head));
        Assert.Contains($"Host: media.internal.test:{server.Port}\r\n", head);
    }

    [Fact]
    public async Task A_url_prefix_entry_allows_only_its_path()
    {
        await using var server = LoopbackServer.Answering(_ => LoopbackServer.Response(200, "ok"));
        var connector = new RecordingConnector();
        using var fetcher = Fetcher($"http://127.0.0.1:{server.Port}/files", connector);

        var file = await fetcher.FetchAsync($"http://127.0.0.1:{server.Port}/files/a.txt", CancellationToken.None);
        Assert.Equal("ok", Encoding.UTF8.GetString(file.Content));
        Assert.Equal(1, server.Accepted);

        foreach (var path in new[] { "/admin", "/files/../admin", "/files%2f..%2fadmin", "/files/%252e%252e/admin", "/filesX" })
        {
            var ex = await Assert.ThrowsAsync<GatewayException>(
                () => fetcher.FetchAsync($"http://127.0.0.1:{server.Port}{path}", CancellationToken.None));
            Assert.Equal(403, ex.Status);
        }

        Assert.Equal(1, server.Accepted);
        Assert.Single(connector.Attempts);
    }

    [Fact]
    public async Task A_redirect_from_an_allowed_host_to_another_loopback_address_is_refused()
    {
        await using var forbidden = new LoopbackServer(IPAddress.Parse("127.0.0.2"));
        await using var allowed = LoopbackServer.Answering(_ =>
            LoopbackServer.Response(302, "", $"Location: http://127.0.0.2:{forbidden.Port}/\r\n"));
        var connector = new RecordingConnector();
        using var fetcher = Fetcher($"127.0.0.1:{allowed.Port}", connector);

        var ex = await Assert.ThrowsAsync<GatewayException>(
            () => fetcher.FetchAsync($"http://127.0.0.1:{allowed.Port}/start", CancellationToken.None));

        Assert.Equal(403, ex.Status);
        Assert.Contains("resolved to 127.0.0.2.", ex.Message);
        Assert.Equal(1, allowed.Accepted);
        Assert.Equal(0, forbidden.Accepted);
        Assert.All(connector.Attempts, e => Assert.Equal(allowed.Port, e.Port));
    }

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(303)]
    [InlineData(307)]
    [InlineData(308)]
    public async Task A_redirect_to_a_loopback_listener_that_is_not_allowlisted_is_refused(int status)
    {
        await using var forbidden = new LoopbackServer(IPAddress.Loopback);
        await using var allowed = LoopbackServer.Answering(_ =>
            LoopbackServer.Response(status, "", $"Location: http://localhost:{forbidden.Port}/secret\r\n"));
        using var fetcher = Fetcher($"http://127.0.0.1:{allowed.Port}/");

        var ex = await Assert.ThrowsAsync<GatewayException>(
            () => fetcher.FetchAsync($"http://127.0.0.1:{allowed.Port}/start", CancellationToken.None));

        Assert.Equal(403, ex.Status);
        Assert.Contains("Host=localhost resolved to 127.0.0.1.", ex.Message);
        Assert.Equal(0, forbidden.Accepted);
    }

    [Fact]
    public async Task A_relative_redirect_out_of_the_allowlisted_path_is_refused()
    {
        await using var server = LoopbackServer.Answering(_ => LoopbackServer.Response(302, "", "Location: ../../admin/keys\r\n"));
        using var fetcher = Fetcher($"http://127.0.0.1:{server.Port}/public/");

        var ex = await Assert.ThrowsAsync<GatewayException>(
            () => fetcher.FetchAsync($"http://127.0.0.1:{server.Port}/public/a/b", CancellationToken.None));

        Assert.Equal(403, ex.Status);
        Assert.Single(server.Requests); // the /public/admin/keys hop was never sent
    }

    [Fact]
    public async Task Relative_redirects_are_followed_up_to_five_hops()
    {
        await using var server = LoopbackServer.Answering(head =>
        {
            var hop = int.Parse(LoopbackServer.PathOf(head).Split('/')[^1]);
            return hop < 5
                ? LoopbackServer.Response(307, "", $"Location: /hop/{hop + 1}\r\n")
                : LoopbackServer.Response(200, "arrived");
        });
        using var fetcher = Fetcher($"127.0.0.1:{server.Port}");

        var file = await fetcher.FetchAsync($"http://127.0.0.1:{server.Port}/hop/0", CancellationToken.None);

        Assert.Equal("arrived", Encoding.UTF8.GetString(file.Content));
        Assert.Equal(6, server.Requests.Count);
    }

    [Fact]
    public async Task A_sixth_redirect_is_too_many()
    {
        await using var server = LoopbackServer.Answering(head =>
        {
            var hop = int.Parse(LoopbackServer.PathOf(head).Split('/')[^1]);
            return LoopbackServer.Response(302, "", $"Location: /hop/{hop + 1}\r\n");
        });
        using var fetcher = Fetcher($"127.0.0.1:{server.Port}");

        var ex = await Assert.ThrowsAsync<GatewayException>(
            () => fetcher.FetchAsync($"http://127.0.0.1:{server.Port}/hop/0", CancellationToken.None));

        Assert.Equal(400, ex.Status);
        Assert.Equal("media_error", ex.Type);
        Assert.Equal("Failed to download file: Too many redirects", ex.Message);
        Assert.Equal(6, server.Requests.Count);
    }

    [Fact]
    public async Task A_redirect_without_location_fails()
    {
        await using var server = LoopbackServer.Answering(_ => LoopbackServer.Response(302));
        using var fetcher = Fetcher($"127.0.0.1:{server.Port}");

        var ex = await Assert.ThrowsAsync<GatewayException>(
            () => fetcher.FetchAsync($"http://127.0.0.1:{server.Port}/", CancellationToken.None));

        Assert.Equal(400, ex.Status);
        Assert.StartsWith("Failed to download file: ", ex.Message);
    }

    [Fact]
    public async Task A_redirect_to_another_scheme_is_refused()
    {
        await using var server = LoopbackServer.Answering(_ => LoopbackServer.Response(302, "", "Location: file:///etc/passwd\r\n"));
        using var fetcher = Fetcher($"127.0.0.1:{server.Port}");

        var ex = await Assert.ThrowsAsync<GatewayException>(
            () => fetcher.FetchAsync($"http://127.0.0.1:{server.Port}/", CancellationToken.None));

        Assert.Equal(400, ex.Status);
        Assert.Equal("Only http/https URLs are allowed", ex.Message);
    }

    [Fact]
    public async Task An_error_status_reports_the_first_200_characters_of_the_body()
    {
        var body = new string('x', 300);
        await using var server = LoopbackServer.Answering(_ => LoopbackServer.Response(404, body));
        using var fetcher = Fetcher($"127.0.0.1:{server.Port}");

        var ex = await Assert.ThrowsAsync<GatewayException>(
            () => fetcher.FetchAsync($"http://127.0.0.1:{server.Port}/missing.png", CancellationToken.None));

        Assert.Equal(400, ex.Status);
        Assert.Equal("media_error", ex.Type);
        Assert.Equal($"Failed to download file: HTTP 404: {new string('x', 200)}", ex.Message);
    }

    [Fact]
    public async Task A_streamed_body_without_content_length_stops_at_10_MB()
    {
        var sent = 0L;
        await using var server = new LoopbackServer(IPAddress.Loopback, async (_, stream, ct) =>
        {
            await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n"u8.ToArray(), ct);
            var chunk = new byte[64 * 1024];
            while (Interlocked.Read(ref sent) < 12L * 1024 * 1024)
            {
                await stream.WriteAsync(chunk, ct);
                Interlocked.Add(ref sent, chunk.Length);
            }
        });
        using var fetcher = Fetcher($"127.0.0.1:{server.Port}");

        var ex = await Assert.ThrowsAsync<GatewayException>(
            () => fetcher.FetchAsync($"http://127.0.0.1:{server.Port}/big.bin", CancellationToken.None));

        Assert.Equal(413, ex.Status);
        Assert.Equal("file_too_large", ex.Type);
        Assert.Equal("Failed to download file: File too large (max 10MB)", ex.Message);
    }

    [Fact]
    public async Task A_chunked_body_over_a_configured_cap_is_cut_off()
    {
        await using var server = new LoopbackServer(IPAddress.Loopback, async (_, stream, ct) =>
        {
            await stream.WriteAsync("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"u8.ToArray(), ct);
            for (var i = 0; i < 10; i++)
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"3e8\r\n{new string('a', 1000)}\r\n"), ct);
            }

            await stream.WriteAsync("0\r\n\r\n"u8.ToArray(), ct);
        });
        using var fetcher = Fetcher($"127.0.0.1:{server.Port}", maxBytes: 4000);

        var ex = await Assert.ThrowsAsync<GatewayException>(
            () => fetcher.FetchAsync($"http://127.0.0.1:{server.Port}/", CancellationToken.None));

        Assert.Equal("Failed to download file: File too large (max 4000 bytes)", ex.Message);
    }

    [Fact]
    public async Task A_body_exactly_at_the_cap_is_accepted()
    {
        await using var server = LoopbackServer.Answering(_ => LoopbackServer.Response(200, new string('b', 4000)));
        using var fetcher = Fetcher($"127.0.0.1:{server.Port}", maxBytes: 4000);

        var file = await fetcher.FetchAsync($"http://127.0.0.1:{server.Port}/", CancellationToken.None);

        Assert.Equal(4000, file.Content.Length);
        Assert.Equal("download", file.FileName);
    }

    [Fact]
    public async Task A_declared_content_length_over_the_cap_is_refused_before_reading()
    {
        await using var server = new LoopbackServer(IPAddress.Loopback, async (_, stream, ct) =>
        {
            await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 20971520\r\n\r\n"u8.ToArray(), ct);
            await Task.Delay(TimeSpan.FromSeconds(20), ct); // never sends the body
        });
        using var fetcher = Fetcher($"127.0.0.1:{server.Port}");

        var started = DateTime.UtcNow;
        var ex = await Assert.ThrowsAsync<GatewayException>(
            () => fetcher.FetchAsync($"http://127.0.0.1:{server.Port}/", CancellationToken.None));

        Assert.Equal("Failed to download file: File too large (max 10MB)", ex.Message);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_server_that_never_answers_times_out()
    {
        await using var server = new LoopbackServer(IPAddress.Loopback, (_, _, ct) => Task.Delay(TimeSpan.FromSeconds(20), ct));
        using var fetcher = Fetcher($"127.0.0.1:{server.Port}", timeout: TimeSpan.FromMilliseconds(500));

        var ex = await Assert.ThrowsAsync<GatewayException>(
            () => fetcher.FetchAsync($"http://127.0.0.1:{server.Port}/", CancellationToken.None));

        Assert.Equal(400, ex.Status);
        Assert.Equal("Failed to download file: timed out after 0.5s", ex.Message);
    }

    [Fact]
    public async Task A_refused_connection_is_a_download_failure()
    {
        int port;
        await using (var closed = new LoopbackServer(IPAddress.Loopback))
        {
            port = closed.Port;
        }

        using var fetcher = Fetcher($"127.0.0.1:{port}");

        var ex = await Assert.ThrowsAsync<GatewayException>(
            () => fetcher.FetchAsync($"http://127.0.0.1:{port}/", CancellationToken.None));

        Assert.Equal(400, ex.Status);
        Assert.StartsWith("Failed to download file: ", ex.Message);
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_turned_into_a_timeout()
    {
        await using var server = new LoopbackServer(IPAddress.Loopback, (_, _, ct) => Task.Delay(TimeSpan.FromSeconds(20), ct));
        using var fetcher = Fetcher($"127.0.0.1:{server.Port}");
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => fetcher.FetchAsync($"http://127.0.0.1:{server.Port}/", cts.Token));
    }

    [Fact]
    public void Options_read_the_fetch_allowlist_from_configuration()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ABSTRACTCORE_SERVER_URL_FETCH_ALLOWLIST"] = "cdn.example.com, http://10.0.0.5/media" })
            .Build();

        var options = SafeFetcherOptions.FromConfiguration(configuration);

        Assert.Equal(2, options.Allowlist.Count);
        Assert.True(options.Allowlist.Matches("https://cdn.example.com/a.png"));
        Assert.Equal(10L * 1024 * 1024, options.MaxBytes);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Timeout);
        Assert.Equal(5, options.MaxRedirects);
    }
}

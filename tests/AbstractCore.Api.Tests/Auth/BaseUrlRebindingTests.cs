using System.Collections.Concurrent;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;
using AbstractCore.Security;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using static AbstractCore.Api.Tests.Auth.AuthTestKit;

namespace AbstractCore.Api.Tests.Auth;

/// <summary>
/// A rebinding DNS server the test controls: each name answers 127.0.0.1 to its first lookup (the base_url policy's,
/// when the request arrives; <see cref="Checks"/> sets how many lookups that is for a name) and <see cref="Then"/> to
/// every later one (the connection's). Names under
/// <c>.loopback.test</c> always answer 127.0.0.1; names under <c>.allowed.test</c> always answer <see cref="Then"/>.
/// </summary>
public sealed class RebindingResolver(IPAddress then)
{
    private readonly ConcurrentDictionary<string, int> _lookups = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _checks = new(StringComparer.OrdinalIgnoreCase);

    public IPAddress Then { get; } = then;

    public int Lookups(string host) => _lookups.GetValueOrDefault(host);

    /// <summary>How many lookups of <paramref name="host"/> still answer loopback.</summary>
    public void Checks(string host, int lookups) => _checks[host] = lookups;

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        host = host.TrimEnd('.');
        var count = _lookups.AddOrUpdate(host, 1, (_, n) => n + 1);
        if (host.EndsWith(".loopback.test", StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult<IPAddress[]>([IPAddress.Loopback]);
        }

        if (host.EndsWith(".allowed.test", StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult<IPAddress[]>([Then]);
        }

        return Task.FromResult<IPAddress[]>([count <= _checks.GetValueOrDefault(host, 1) ? IPAddress.Loopback : Then]);
    }
}

/// <summary>
/// The address a rebinding name must never reach, with a listener on it that counts every TCP connection it accepts
/// and closes it at once. It listens on all interfaces, so a connection to this machine's own non-loopback address
/// (or to 0.0.0.0, which Linux delivers to the local host) is counted.
/// </summary>
public sealed class TrapListener : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Any, 0);
    private int _accepted;

    public TrapListener()
    {
        _listener.Start();
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>This machine's first non-loopback IPv4 address (a private address a rebinding name could point at),
    /// or 0.0.0.0 where there is none: not loopback either, yet it reaches this host.</summary>
    public static IPAddress NonLoopbackLocalAddress() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses.Select(a => a.Address))
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
        ?? IPAddress.Any;

    public void Dispose() => _listener.Dispose();

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                using var client = await _listener.AcceptTcpClientAsync();
                Interlocked.Increment(ref _accepted);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // stopped
        }
    }
}

public sealed class BaseUrlRebindingFixture : IAsyncLifetime
{
    public TrapListener Trap { get; } = new();
    public RebindingResolver Dns { get; } = new(TrapListener.NonLoopbackLocalAddress());
    public FakeOpenAIUpstream Upstream { get; private set; } = null!;
    public WebApplicationFactory<Program> Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Upstream = await FakeOpenAIUpstream.StartAsync();
        Gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = Token,
            ["ABSTRACTCORE_SERVER_BASE_URL_ALLOWLIST"] = "*.allowed.test",
        }).WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<HostResolver>(Dns.ResolveAsync)));
        _ = Gateway.Server;
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Upstream.DisposeAsync();
        Trap.Dispose();
    }

    public HttpClient Http() => Authorized(Gateway);

    public static HttpClient Authorized(WebApplicationFactory<Program> gateway)
    {
        var http = gateway.CreateClient();
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + Token);
        return http;
    }
}

/// <summary>
/// Issue 13 point 2: a request-chosen base_url is checked when the request arrives and again, by the connection
/// handler, on the address actually connected to. Every route that calls an upstream at a request's base_url is a row:
/// the name passes the policy as loopback, then resolves to a non-loopback address when the gateway connects. The
/// answer must be the policy's 403 and the trap listener on that address must never see a connection. The test also
/// checks the name was looked up again (the connect-time lookup happened), so a 403 from the first check alone, or a
/// connection that bypassed the guarded handler (the system resolver cannot find these names), would fail it.
/// </summary>
public sealed class BaseUrlRebindingTests(BaseUrlRebindingFixture fx) : IClassFixture<BaseUrlRebindingFixture>
{
    /// <summary>Each route with the number of policy checks (lookups) it makes before connecting: images and videos
    /// resolve the target when the request arrives and again in the call runner the jobs share.</summary>
    public static TheoryData<string, int> Routes => new()
    {
        { "chat", 1 }, { "chat-stream", 1 }, { "provider-chat", 1 }, { "responses", 1 }, { "ollama-chat", 1 },
        { "anthropic-chat", 1 }, { "models", 1 }, { "embeddings", 1 }, { "speech", 1 }, { "transcriptions", 1 },
        { "music", 1 }, { "voice-clone", 1 }, { "images", 2 }, { "videos", 2 }, { "prompt-cache", 1 },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task A_name_that_rebinds_after_the_check_never_reaches_the_new_address(string route, int checks)
    {
        var host = $"{route}.rebind.test";
        var baseUrl = $"http://{host}:{fx.Trap.Port}/v1";
        fx.Dns.Checks(host, checks);
        var before = fx.Trap.Accepted;

        var (response, body) = await SendAsync(route, baseUrl);

        Assert.True(fx.Dns.Lookups(host) > checks, $"{host} was looked up {fx.Dns.Lookups(host)} time(s): the connection never resolved it");
        Assert.Equal(before, fx.Trap.Accepted);
        if (route == "prompt-cache")
        {
            // The proxy mode answers a refused base_url in its own shape, as it does for the first check.
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(BaseUrlRefusedMessage, (string?)body?["error"]);
        }
        else
        {
            AssertError(response, body, HttpStatusCode.Forbidden, BaseUrlRefusedMessage, "forbidden");
        }
    }

    [Fact]
    public async Task Zero_zero_zero_zero_is_refused_too()
    {
        // 0.0.0.0 reaches this host on Linux without being loopback: the classic way round a loopback-only rule.
        var dns = new RebindingResolver(IPAddress.Any);
        await using var gateway = fx.Gateway.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<HostResolver>(dns.ResolveAsync)));
        using var http = BaseUrlRebindingFixture.Authorized(gateway);
        var before = fx.Trap.Accepted;

        var (response, body) = await Wire.PostAsync(http, "/v1/chat/completions",
            ChatBody("openai-compatible/m", $$""","base_url":"http://zero.rebind.test:{{fx.Trap.Port}}/v1" """));

        AssertError(response, body, HttpStatusCode.Forbidden, BaseUrlRefusedMessage, "forbidden");
        Assert.Equal(before, fx.Trap.Accepted);
        Assert.True(dns.Lookups("zero.rebind.test") >= 2);
    }

    [Fact]
    public async Task A_name_that_stays_loopback_is_served_through_the_guarded_handler()
    {
        using var http = fx.Http();
        var baseUrl = $"http://stays.loopback.test:{fx.Upstream.BaseUrl.Port}/v1";
        var (response, _) = await Wire.PostAsync(http, "/v1/chat/completions", ChatBody("openai-compatible/fake-model", $$""","base_url":"{{baseUrl}}" """));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(fx.Dns.Lookups("stays.loopback.test") >= 2);
    }

    [Fact]
    public async Task An_allowlisted_name_may_reach_what_it_resolves_to()
    {
        // The operator vouched for *.allowed.test: its connections are not held to loopback (it resolves to the trap's
        // address here, where nothing answers HTTP), so the call gets as far as the connection.
        using var http = fx.Http();
        var before = fx.Trap.Accepted;
        var (response, body) = await Wire.PostAsync(http, "/v1/chat/completions",
            ChatBody("openai-compatible/m", $$""","base_url":"http://svc.allowed.test:{{fx.Trap.Port}}/v1" """));
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.NotEqual(BaseUrlRefusedMessage, (string?)body?["error"]?["message"]);
        Assert.True(fx.Trap.Accepted > before);
    }

    private async Task<(HttpResponseMessage Response, JsonNode? Body)> SendAsync(string route, string baseUrl)
    {
        using var http = fx.Http();
        string Json(string model, string fields) => $$"""{"model":"{{model}}",{{fields}},"base_url":"{{baseUrl}}"}""";
        string Chat(string model, string extra = "") => ChatBody(model, $$""","base_url":"{{baseUrl}}"{{extra}}""");
        switch (route)
        {
            case "chat":
                return await Wire.PostAsync(http, "/v1/chat/completions", Chat("openai-compatible/m"));
            case "chat-stream":
                return await Wire.PostAsync(http, "/v1/chat/completions", Chat("openai-compatible/m", ""","stream":true"""));
            case "provider-chat":
                return await Wire.PostAsync(http, "/openai-compatible/v1/chat/completions", Chat("m"));
            case "responses":
                return await Wire.PostAsync(http, "/v1/responses", Json("openai-compatible/m", "\"input\":\"hi\""));
            case "ollama-chat":
                return await Wire.PostAsync(http, "/v1/chat/completions", Chat("ollama/m"));
            case "anthropic-chat":
                http.DefaultRequestHeaders.TryAddWithoutValidation("X-AbstractCore-Provider-API-Key", "sk-callers-own");
                return await Wire.PostAsync(http, "/v1/chat/completions", Chat("anthropic/m"));
            case "models":
                return await GetAsync(http, "/v1/models?provider=openai-compatible&base_url=" + Uri.EscapeDataString(baseUrl));
            case "embeddings":
                return await Wire.PostAsync(http, "/v1/embeddings", Json("openai-compatible/e", "\"input\":\"x\""));
            case "speech":
                return await Wire.PostAsync(http, "/v1/audio/speech", Json("openai-compatible/tts-1", "\"input\":\"hi\",\"voice\":\"alloy\""));
            case "music":
                return await Wire.PostAsync(http, "/v1/audio/music", Json("openai-compatible/music", "\"prompt\":\"a tune\""));
            case "images":
                return await Wire.PostAsync(http, "/v1/images/generations", Json("openai-compatible/img", "\"prompt\":\"a cat\""));
            case "videos":
                return await Wire.PostAsync(http, "/v1/videos/generations", Json("openai-compatible/vid", "\"prompt\":\"a cat\""));
            case "prompt-cache":
                return await Wire.PostAsync(http, "/acore/prompt_cache/set", $$"""{"base_url":"{{baseUrl}}","prompt":"hi"}""");
            case "transcriptions":
                return await PostFormAsync(http, "/v1/audio/transcriptions", baseUrl, "openai-compatible/whisper-1");
            case "voice-clone":
                return await PostFormAsync(http, "/v1/voice/clone", baseUrl, "openai-compatible/clone");
            default:
                throw new ArgumentOutOfRangeException(nameof(route), route, null);
        }
    }

    private static async Task<(HttpResponseMessage Response, JsonNode? Body)> PostFormAsync(HttpClient http, string path, string baseUrl, string model)
    {
        using var form = new MultipartFormDataContent
        {
            { new StringContent(model), "model" },
            { new StringContent(baseUrl), "base_url" },
            { new StringContent("voice"), "name" },
            { new ByteArrayContent("RIFF\0\0\0\0WAVEfmt "u8.ToArray()), "file", "a.wav" },
        };
        var response = await http.PostAsync(path, form);
        var text = await response.Content.ReadAsStringAsync();
        return (response, text.Length == 0 ? null : JsonNode.Parse(text));
    }
}

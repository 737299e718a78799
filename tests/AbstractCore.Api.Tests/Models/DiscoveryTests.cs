using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;

namespace AbstractCore.Api.Tests.Models;

/// <summary>Discovery with one provider hanging: the others are listed within the deadline, the dead one reported.</summary>
public sealed class DiscoveryTests : IAsyncLifetime, IDisposable
{
    private FakeOpenAIUpstream _upstream = null!;
    private TcpListener _silent = null!;
    private GatewayFactory _gateway = null!;
    private readonly List<Socket> _held = [];

    public async Task InitializeAsync()
    {
        _upstream = await FakeOpenAIUpstream.StartAsync();
        _upstream.Models.Clear();
        _upstream.Models.AddRange(["chat-model", "nomic-embed-text", "llava-13b"]);

        // A server that accepts connections and never answers.
        _silent = new TcpListener(IPAddress.Loopback, 0);
        _silent.Start();
        _ = Task.Run(async () =>
        {
            while (true)
            {
                try
                {
                    _held.Add(await _silent.AcceptSocketAsync());
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    return;
                }
            }
        });

        _gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = GatewayFixture.Token,
            ["OPENAI_COMPATIBLE_BASE_URL"] = _upstream.BaseUrl.AbsoluteUri,
            ["VLLM_BASE_URL"] = $"http://127.0.0.1:{((IPEndPoint)_silent.LocalEndpoint).Port}/v1",
            ["ABSTRACTCORE_DISCOVERY_TIMEOUT_S"] = "1",
        });
    }

    public void Dispose() => _gateway.Dispose();

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        _silent.Stop();
        _held.ForEach(s => s.Dispose());
        await _upstream.DisposeAsync();
    }

    private HttpClient Http()
    {
        var http = _gateway.CreateClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", GatewayFixture.Token);
        return http;
    }

    [Fact]
    public async Task A_hanging_provider_does_not_block_the_list()
    {
        using var http = Http();
        // The hanging upstream never answers: a list that waited for it would never come (the token turns that into a failure).
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var response = await http.GetAsync("/v1/models", patience.Token);

        var ids = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["data"]!.AsArray().Select(m => (string?)m!["id"]).ToList();
        Assert.Equal(["openai-compatible/chat-model", "openai-compatible/nomic-embed-text", "openai-compatible/llava-13b"], ids);
        Assert.Contains("vllm unavailable", Wire.Header(response, "X-AbstractCore-Warning"), StringComparison.Ordinal);

        var providers = JsonNode.Parse(await http.GetStringAsync("/providers?include_models=true"))!["providers"]!.AsArray();
        var vllm = providers.Single(p => (string?)p!["name"] == "vllm")!;
        Assert.Equal("unavailable", (string?)vllm["status"]);
        var compatible = providers.Single(p => (string?)p!["name"] == "openai-compatible")!;
        Assert.Equal("available", (string?)compatible["status"]);
        Assert.Equal(3, (int)compatible["model_count"]!);
        Assert.Equal(3, compatible["models"]!.AsArray().Count);
        Assert.Equal("unconfigured", (string?)providers.Single(p => (string?)p!["name"] == "openrouter")!["status"]);
    }

    [Theory]
    [InlineData("output_type=embeddings", "openai-compatible/nomic-embed-text")]
    [InlineData("input_type=image", "openai-compatible/llava-13b")]
    [InlineData("provider=openai-compatible&output_type=text&input_type=image", "openai-compatible/llava-13b")]
    public async Task Capability_filters_select_models(string query, string expected)
    {
        using var http = Http();
        var ids = JsonNode.Parse(await http.GetStringAsync("/v1/models?" + query))!["data"]!.AsArray().Select(m => (string?)m!["id"]);
        Assert.Equal([expected], ids);
    }

    [Theory]
    [InlineData("api_key=sk-x", "api_key")]
    [InlineData("base_url=http://127.0.0.1:9/v1", "base_url")]
    [InlineData("output_type=pictures", "output_type")]
    [InlineData("input_type=smell", "input_type")]
    public async Task Bad_discovery_queries_are_400(string query, string param)
    {
        using var http = Http();
        var (response, body) = (await http.GetAsync("/v1/models?" + query), (JsonNode?)null);
        body = JsonNode.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal(param, (string?)body!["error"]!["param"]);
    }

    [Fact]
    public async Task A_query_key_and_loopback_base_url_reach_the_named_provider()
    {
        using var http = Http();
        var url = Uri.EscapeDataString(_upstream.BaseUrl.AbsoluteUri);
        var body = JsonNode.Parse(await http.GetStringAsync($"/v1/models?provider=vllm&base_url={url}&api_key=sk-query"))!;
        Assert.Equal(3, body["data"]!.AsArray().Count);
        Assert.Equal("Bearer sk-query", _upstream.Requests.Last(r => r.Path.EndsWith("/models", StringComparison.Ordinal)).Headers["Authorization"]);
    }
}

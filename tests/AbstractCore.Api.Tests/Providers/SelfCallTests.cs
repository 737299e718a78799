using System.Net;
using System.Net.Sockets;
using AbstractCore.Api.Tests.Infrastructure;

namespace AbstractCore.Api.Tests.Providers;

/// <summary>A provider base URL that points at the gateway itself is refused up front, naming the setting to fix, and an
/// OpenAI-compatible base URL works with or without its <c>/v1</c>.</summary>
public sealed class SelfCallTests
{
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Theory]
    [InlineData("127.0.0.1", "localhost", "/v1")]
    [InlineData("127.0.0.1", "127.0.0.1", "")]
    [InlineData("127.0.0.1", "0.0.0.0", "/v1")]
    [InlineData("0.0.0.0", "localhost", "/v1")]
    public async Task A_base_url_pointing_at_the_gateway_is_a_400_naming_the_setting(string bind, string host, string path)
    {
        var port = FreePort();
        await using var gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = GatewayFixture.Token,
            ["URLS"] = $"http://{bind}:{port}",
            ["VLLM_BASE_URL"] = $"http://{host}:{port}{path}",
        });
        gateway.UseKestrel();
        gateway.StartServer();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") }; // also when bound to 0.0.0.0
        http.DefaultRequestHeaders.Authorization = new("Bearer", GatewayFixture.Token);

        var (response, body) = await Wire.PostAsync(http, "/v1/chat/completions",
            """{"model":"vllm/some-model","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("provider_base_url_is_gateway", (string?)body!["error"]!["code"]);
        Assert.Contains("Set VLLM_BASE_URL to the vllm server's address", (string?)body["error"]!["message"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_inference_url_works_with_or_without_v1(bool withV1)
    {
        await using var upstream = await FakeOpenAIUpstream.StartAsync();
        var root = upstream.BaseUrl.AbsoluteUri.TrimEnd('/');
        root = root.EndsWith("/v1", StringComparison.Ordinal) ? root[..^3] : root;
        await using var gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = GatewayFixture.Token,
            ["ABSTRACTCORE_INFERENCE_URL"] = withV1 ? root + "/v1" : root,
        });
        using var http = gateway.Http(GatewayFixture.Token);

        var (response, _) = await Wire.PostAsync(http, "/v1/chat/completions",
            """{"model":"onnx/fake-model","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/v1/chat/completions", upstream.LastChatRequest.Path);
    }
}

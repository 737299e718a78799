using AbstractCore.Api.Tests.Infrastructure;
using AbstractCore.TestKit.FakeMedia;

namespace AbstractCore.Api.Tests.Media;

/// <summary>
/// The gateway's side of local embeddings, with a fake OpenAI-compatible server standing in for the Inference service
/// (ABSTRACTCORE_INFERENCE_URL): what <c>onnx/…</c> and <c>huggingface/…</c> send and answer. The real service's vectors
/// are tested end to end in AbstractCore.Inference.Tests (GatewayEmbeddingsTests).
/// </summary>
public sealed class LocalEmbeddingsRoutingTests : IAsyncLifetime
{
    private const string Token = "local-embeddings-token";
    private FakeMediaUpstream Inference { get; set; } = null!;
    private GatewayFactory Gateway { get; set; } = null!;

    public async Task InitializeAsync()
    {
        Inference = await FakeMediaUpstream.StartAsync();
        Gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = Token,
            ["ABSTRACTCORE_INFERENCE_URL"] = Inference.BaseUrl.AbsoluteUri,
            ["OPENAI_COMPATIBLE_BASE_URL"] = Inference.BaseUrl.AbsoluteUri,
        });
        _ = Gateway.Server;
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Inference.DisposeAsync();
    }

    [Fact]
    public async Task A_huggingface_repo_id_goes_to_theInference_service_and_comes_back_as_named()
    {
        using var http = Gateway.Http(Token);
        var (response, body) = await Json.PostAsync(http, "/v1/embeddings",
            """{"model":"huggingface/sentence-transformers/all-MiniLM-L6-v2","input":["a","b"],"encoding_format":"base64","truncate":true}""");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("huggingface/sentence-transformers/all-MiniLM-L6-v2", (string?)body!["model"]);
        Assert.Equal(System.Text.Json.JsonValueKind.String, body["data"]![0]!["embedding"]!.GetValueKind());
        var sent = Inference.Requests.Last(r => r.Path.EndsWith("/embeddings", StringComparison.Ordinal)).Json!;
        Assert.Equal("sentence-transformers/all-MiniLM-L6-v2", (string?)sent["model"]);
        Assert.Equal("base64", (string?)sent["encoding_format"]);
        Assert.True((bool)sent["truncate"]!);
    }

    [Fact]
    public async Task Truncate_reaches_the_local_service_only()
    {
        using var http = Gateway.Http(Token);
        var (local, _) = await Json.PostAsync(http, "/v1/embeddings", """{"model":"onnx/tiny-embed","input":"a","truncate":false}""");
        Assert.Equal(200, (int)local.StatusCode);
        Assert.False((bool)Inference.Requests[^1].Json!["truncate"]!);

        var (remote, _) = await Json.PostAsync(http, "/v1/embeddings", """{"model":"openai-compatible/e5","input":"a","truncate":true}""");
        Assert.Equal(200, (int)remote.StatusCode);
        Assert.Null(Inference.Requests[^1].Json!["truncate"]);
    }

    [Theory]
    [InlineData("""{"model":"onnx/tiny-embed","input":"a","truncate":"yes"}""", "'truncate' must be true or false.")]
    [InlineData("""{"model":"huggingface/x","input":""}""", "Embedding input must not be empty.")]
    [InlineData("""{"model":"anthropic/x","input":"a"}""", "Supported providers: openai, openrouter, portkey, openai-compatible, lmstudio, vllm, onnx, ollama, azure (huggingface is onnx).")]
    public async Task Bad_requests_are_refused_before_the_service(string json, string message)
    {
        using var http = Gateway.Http(Token);
        var before = Inference.Requests.Count;
        var (response, body) = await Json.PostAsync(http, "/v1/embeddings", json);

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains(message, (string)body!["error"]!["message"]!, StringComparison.Ordinal);
        Assert.Equal(before, Inference.Requests.Count);
    }
}

using System.Text.Json.Nodes;
using AbstractCore.TestKit.FakeMedia;
using AbstractCore.TestKit.FakeOllama;

namespace AbstractCore.Api.Tests.Media;

public sealed class EmbeddingsTests(MediaFixture fx) : IClassFixture<MediaFixture>
{
    [Fact]
    public async Task The_official_SDK_gets_vectors_from_an_OpenAI_compatible_upstream()
    {
        var client = fx.Embeddings("openai-compatible/fake-embed");

        var result = await client.GenerateEmbeddingsAsync(["first text", "second"]);

        Assert.Equal(2, result.Value.Count);
        for (var i = 0; i < 2; i++)
        {
            var vector = result.Value[i].ToFloats().ToArray();
            Assert.Equal(4, vector.Length);
            Assert.Equal((float)FakeMediaUpstream.EmbeddingValue(i, 3), vector[3]);
        }

        var sent = fx.Upstream.Last("/embeddings");
        Assert.Equal("fake-embed", (string?)sent.Json!["model"]);
        Assert.Equal("Bearer " + MediaFixture.UpstreamKey, sent.Headers["Authorization"]);
    }

    [Fact]
    public async Task A_string_input_is_forwarded_as_a_string_and_the_model_comes_back_prefixed()
    {
        using var http = fx.Http();
        var (response, body) = await Json.PostAsync(http, "/v1/embeddings",
            """{"model":"openai-compatible/fake-embed","input":"just one","dimensions":2,"user":"u-1","encoding_format":"float"}""");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("openai-compatible/fake-embed", (string?)body!["model"]);
        Assert.Equal("list", (string?)body["object"]);
        Assert.Equal(2, body["data"]![0]!["embedding"]!.AsArray().Count);
        var sent = fx.Upstream.Last("/embeddings").Json!;
        Assert.Equal(System.Text.Json.JsonValueKind.String, sent["input"]!.GetValueKind());
        Assert.Equal(2, (int)sent["dimensions"]!);
        Assert.Equal("u-1", (string?)sent["user"]);
        Assert.Equal("float", (string?)sent["encoding_format"]);
    }

    [Fact]
    public async Task Ollama_embeddings_are_mapped_to_the_OpenAI_shape()
    {
        using var http = fx.Http();
        var (response, body) = await Json.PostAsync(http, "/v1/embeddings",
            """{"model":"ollama/nomic-embed-text","input":["one two","three"]}""");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("ollama/nomic-embed-text", (string?)body!["model"]);
        var data = body["data"]!.AsArray();
        Assert.Equal(2, data.Count);
        Assert.Equal("embedding", (string?)data[1]!["object"]);
        Assert.Equal(1, (int)data[1]!["index"]!);
        Assert.Equal(FakeOllamaUpstream.EmbeddingValue(1, 2), (double)data[1]!["embedding"]![2]!);
        Assert.Equal(3, (int)body["usage"]!["prompt_tokens"]!);
        Assert.Equal("nomic-embed-text", (string?)fx.Ollama.Requests.Last(r => r.Path == "/api/embed").Json!["model"]);
    }

    [Fact]
    public async Task The_official_SDK_gets_ollama_vectors_in_the_base64_form_it_asks_for()
    {
        var client = fx.Embeddings("ollama/nomic-embed-text");

        var result = await client.GenerateEmbeddingsAsync(["one two", "three"]);

        Assert.Equal(2, result.Value.Count);
        Assert.Equal((float)FakeOllamaUpstream.EmbeddingValue(1, 2), result.Value[1].ToFloats().ToArray()[2]);

        using var http = fx.Http();
        var (_, body) = await Json.PostAsync(http, "/v1/embeddings",
            """{"model":"ollama/nomic-embed-text","input":"a","encoding_format":"base64"}""");
        var bytes = Convert.FromBase64String((string)body!["data"]![0]!["embedding"]!);
        Assert.Equal((float)FakeOllamaUpstream.EmbeddingValue(0, 1), BitConverter.ToSingle(bytes, sizeof(float)));
    }

    [Theory]
    [InlineData("""{"model":"openai-compatible/x"}""", 400, "'input' is required")]
    [InlineData("""{"model":"openai-compatible/x","input":[]}""", 400, "Embedding input array must not be empty.")]
    [InlineData("""{"model":"openai-compatible/x","input":["ok",3]}""", 400, "Embedding input at index 1 must be a string.")]
    [InlineData("""{"model":"openai-compatible/x","input":["ok"," "]}""", 400, "Embedding input at index 1 must not be empty.")]
    [InlineData("""{"model":"openai-compatible/x","input":""}""", 400, "Embedding input must not be empty.")]
    [InlineData("""{"model":"openai-compatible/x","input":{"a":1}}""", 400, "'input' must be a string or an array of strings.")]
    [InlineData("""{"model":"openai-compatible/x","input":"a","dimensions":-1}""", 400, "'dimensions' must be a non-negative integer")]
    [InlineData("""{"model":"openai-compatible/x","input":"a","encoding_format":"int8"}""", 400, "'encoding_format' must be 'float' or 'base64'")]
    [InlineData("""{"model":"openai-compatible/x","input":"a","api_key":"sk-x"}""", 400, "Per-request provider api_key fields are disabled")]
    [InlineData("""{"model":"anthropic/claude-3","input":"a"}""", 400, "Anthropic does not expose a native embeddings API")]
    [InlineData("""{"model":"nope/x","input":"a"}""", 400, "Embedding provider 'nope' not supported. Supported providers: openai,")]
    [InlineData("""{"input":"a"}""", 501, "PUT /v1/config/capability-defaults/embedding/text")]
    [InlineData("""[1,2]""", 400, "The request body must be a JSON object.")]
    [InlineData("""{"model":""", 400, "not valid JSON")]
    public async Task Bad_inputs_are_refused_with_a_message_naming_the_problem(string json, int status, string message)
    {
        using var http = fx.Http();
        var requestsBefore = fx.Upstream.Requests.Count;

        Json.AssertError(await Json.PostAsync(http, "/v1/embeddings", json), status, message);
        Assert.Equal(requestsBefore, fx.Upstream.Requests.Count);
    }

    [Fact]
    public async Task Upstream_errors_keep_their_status_and_message()
    {
        using var http = fx.Http();
        fx.Upstream.FailNext(404, "The model 'missing' does not exist");
        Json.AssertError(await Json.PostAsync(http, "/v1/embeddings", """{"model":"openai-compatible/missing","input":"a"}"""),
            404, "The model 'missing' does not exist");

        Json.AssertError(await Json.PostAsync(http, "/v1/embeddings", """{"model":"ollama/not-pulled","input":"a"}"""),
            404, "model \"not-pulled\" not found");
    }

    [Fact]
    public async Task A_server_token_never_reaches_the_upstream()
    {
        using var http = fx.Http();
        await Json.PostAsync(http, "/v1/embeddings", """{"model":"openai-compatible/fake-embed","input":"a"}""");

        var sent = fx.Upstream.Last("/embeddings");
        Assert.DoesNotContain(sent.Headers, h => h.Value.Contains(MediaFixture.Token, StringComparison.Ordinal));
        _ = JsonNode.Parse(sent.Body);
    }
}

using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;
using AbstractCore.TestKit.FakeOllama;

namespace AbstractCore.Api.Tests.Providers;

/// <summary><c>unload_after</c>: refused for Ollama unless allowed; when allowed, the model is unloaded after the answer.</summary>
public sealed class UnloadAfterTests
{
    private const string Body = """{"model":"ollama/llama3.2","unload_after":true,"messages":[{"role":"user","content":"hi"}]}""";

    private static HttpClient Http(GatewayFactory gateway)
    {
        var http = gateway.CreateClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", GatewayFixture.Token);
        return http;
    }

    [Theory]
    [InlineData("true")]
    [InlineData("\"true\"")] // the original coerced the strings a form or an environment gives
    [InlineData("\"TRUE\"")]
    public async Task Ollama_refuses_unload_after_unless_the_operator_allowed_it(string value)
    {
        await using var ollama = await FakeOllamaUpstream.StartAsync();
        await using var gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = GatewayFixture.Token,
            ["OLLAMA_BASE_URL"] = ollama.BaseUrl,
        });
        using var http = Http(gateway);

        var (response, body) = await Wire.PostAsync(http, "/v1/chat/completions", Body.Replace("\"unload_after\":true", $"\"unload_after\":{value}", StringComparison.Ordinal));

        Assert.Equal(403, (int)response.StatusCode);
        Assert.Equal("unload_after", (string?)body!["error"]!["param"]);
        Assert.Contains("ABSTRACTCORE_ALLOW_UNSAFE_UNLOAD_AFTER=1", (string?)body["error"]!["message"], StringComparison.Ordinal);
        Assert.Empty(ollama.Requests);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task When_allowed_the_model_is_unloaded_after_the_answer(bool stream)
    {
        await using var ollama = await FakeOllamaUpstream.StartAsync();
        await using var gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = GatewayFixture.Token,
            ["OLLAMA_BASE_URL"] = ollama.BaseUrl,
            ["ABSTRACTCORE_ALLOW_UNSAFE_UNLOAD_AFTER"] = "1",
        });
        using var http = Http(gateway);

        var json = Body.Replace("\"unload_after\":true", $"\"unload_after\":true,\"stream\":{(stream ? "true" : "false")}", StringComparison.Ordinal);
        var response = await http.PostAsync("/v1/chat/completions", Wire.Json(json));
        await response.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)response.StatusCode);
        var paths = ollama.Requests.Select(r => r.Path).ToList();
        Assert.Equal(["/api/chat", "/api/generate"], paths);
        var unload = JsonNode.Parse(ollama.Requests[1].Body)!;
        Assert.Equal("llama3.2", (string?)unload["model"]);
        Assert.Equal(0, (int)unload["keep_alive"]!);
    }

    [Fact]
    public async Task Remote_providers_answer_normally_with_a_warning()
    {
        await using var upstream = await FakeOpenAIUpstream.StartAsync();
        await using var gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = GatewayFixture.Token,
            ["OPENAI_COMPATIBLE_BASE_URL"] = upstream.BaseUrl.AbsoluteUri,
        });
        using var http = Http(gateway);

        var (response, _) = await Wire.PostAsync(http, "/v1/chat/completions",
            """{"model":"openai-compatible/fake-model","unload_after":true,"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Contains("unload_after has no effect", Wire.Header(response, "X-AbstractCore-Warning"), StringComparison.Ordinal);
        Assert.False(upstream.LastChatRequest.Json!.AsObject().ContainsKey("unload_after"));
    }
}

using AbstractCore.Api.Tests.Infrastructure;

namespace AbstractCore.Api.Tests.Aliases;

/// <summary>The alias path end to end: a failing first deployment falls back to the second, streamed or not.</summary>
public sealed class AliasSmokeTests : IAsyncLifetime
{
    private const string Token = "alias-token";
    private FakeOpenAIUpstream _a = null!;
    private FakeOpenAIUpstream _b = null!;
    private GatewayFactory Gateway { get; set; } = null!;

    public async Task InitializeAsync()
    {
        _a = await FakeOpenAIUpstream.StartAsync();
        _b = await FakeOpenAIUpstream.StartAsync();
        Gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = Token,
            ["ABSTRACTCORE_MODEL_ALIASES"] = $$$"""
                {"team/smart": {"deployments": [
                  {"name": "a", "model": "openai-compatible/model-a", "base_url": "{{{_a.BaseUrl}}}"},
                  {"name": "b", "model": "openai-compatible/model-b", "base_url": "{{{_b.BaseUrl}}}", "weight": 0}]}}
                """,
        });
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_500_falls_back_to_the_next_deployment(bool stream)
    {
        _a.Enqueue(FakeReply.Error(500, "boom", "server_error"));
        _b.Enqueue(FakeReply.Text("from b"));
        using var http = Gateway.Http(Token);
        var body = $$"""{"model":"team/smart","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hi"}]}""";
        var response = await http.PostAsync("/v1/chat/completions", Wire.Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        Assert.Equal("2", Wire.Header(response, "X-AbstractCore-Attempts"));
        Assert.Equal("b", Wire.Header(response, "X-AbstractCore-Deployment"));
        Assert.Contains("from", text, StringComparison.Ordinal);
        Assert.Contains("\"model\":\"team/smart\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", text, StringComparison.Ordinal);
    }
}

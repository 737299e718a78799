using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;

namespace AbstractCore.Api.Tests.Providers;

/// <summary><c>thinking</c> in each OpenAI-compatible dialect, and OpenAI's prompt-cache fields forwarded.</summary>
public sealed class OpenAICompatibleThinkingTests : IAsyncLifetime, IDisposable
{
    private FakeOpenAIUpstream _upstream = null!;
    private GatewayFactory _gateway = null!;

    public async Task InitializeAsync()
    {
        _upstream = await FakeOpenAIUpstream.StartAsync();
        var url = _upstream.BaseUrl.AbsoluteUri;
        _gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = GatewayFixture.Token,
            ["OPENAI_BASE_URL"] = url,
            ["OPENAI_API_KEY"] = "sk-server",
            ["OPENROUTER_BASE_URL"] = url,
            ["OPENROUTER_API_KEY"] = "or-server",
            ["LMSTUDIO_BASE_URL"] = url,
        });
    }

    public void Dispose() => _gateway.Dispose();

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    private async Task<(HttpResponseMessage Response, JsonObject Sent)> Send(string model, string extra)
    {
        using var http = _gateway.CreateClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", GatewayFixture.Token);
        var (response, _) = await Wire.PostAsync(http, "/v1/chat/completions",
            $$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]{{extra}}}""");
        return (response, _upstream.LastChatRequest.Json!.AsObject());
    }

    [Theory]
    [InlineData("high", "high")]
    [InlineData("off", "none")]
    [InlineData("none", "none")]
    [InlineData("on", "medium")]
    [InlineData("xhigh", "xhigh")]
    public async Task OpenAI_reasoning_models_get_reasoning_effort(string thinking, string effort)
    {
        var (response, sent) = await Send("openai/gpt-5-mini", $$""","thinking":"{{thinking}}" """);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(effort, (string?)sent["reasoning_effort"]);
        Assert.False(sent.ContainsKey("thinking"));
    }

    [Fact]
    public async Task A_model_without_reasoning_ignores_thinking_with_a_warning_not_an_error()
    {
        var (response, sent) = await Send("openai/gpt-4o", ""","thinking":true""");
        Assert.Equal(200, (int)response.StatusCode);
        Assert.False(sent.ContainsKey("reasoning_effort"));
        Assert.Contains("gpt-4o", Wire.Header(response, "X-AbstractCore-Warning"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenRouter_gets_its_reasoning_object_and_xhigh_degrades_to_high()
    {
        var (response, sent) = await Send("openrouter/deepseek/deepseek-r1", ""","thinking":"xhigh" """);
        Assert.Equal("high", (string?)sent["reasoning"]!["effort"]);
        Assert.Contains("xhigh", Wire.Header(response, "X-AbstractCore-Warning"), StringComparison.Ordinal);

        (_, sent) = await Send("openrouter/deepseek/deepseek-r1", ""","thinking":"off" """);
        Assert.False((bool)sent["reasoning"]!["enabled"]!);
    }

    [Fact]
    public async Task Local_servers_get_the_chat_template_switch()
    {
        var (_, sent) = await Send("lmstudio/qwen3-4b", ""","thinking":"off" """);
        Assert.False((bool)sent["chat_template_kwargs"]!["enable_thinking"]!);

        var (response, sent2) = await Send("lmstudio/qwen3-4b", ""","thinking":"low" """);
        Assert.True((bool)sent2["chat_template_kwargs"]!["enable_thinking"]!);
        Assert.NotNull(Wire.Header(response, "X-AbstractCore-Warning"));
    }

    [Fact]
    public async Task A_client_reasoning_effort_is_forwarded_as_written()
    {
        var (_, sent) = await Send("lmstudio/gpt-oss-20b", ""","reasoning_effort":"low" """);
        Assert.Equal("low", (string?)sent["reasoning_effort"]);
        Assert.False(sent.ContainsKey("chat_template_kwargs"));
    }

    [Fact]
    public async Task An_unknown_thinking_value_is_a_400_naming_the_field()
    {
        using var http = _gateway.CreateClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", GatewayFixture.Token);
        var (response, body) = await Wire.PostAsync(http, "/v1/chat/completions",
            """{"model":"openai/gpt-5","thinking":"banana","messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("thinking", (string?)body!["error"]!["param"]);
    }

    [Fact]
    public async Task Prompt_cache_fields_are_forwarded_to_openai()
    {
        var (_, sent) = await Send("openai/gpt-5", ""","prompt_cache_key":"tenant-7","prompt_cache_retention":"24h" """);
        Assert.Equal("tenant-7", (string?)sent["prompt_cache_key"]);
        Assert.Equal("24h", (string?)sent["prompt_cache_retention"]);
        Assert.Equal("Bearer sk-server", _upstream.LastChatRequest.Headers["Authorization"]);
    }
}

using AbstractCore.Api.Tests.Infrastructure;

namespace AbstractCore.Api.Tests.Chat;

/// <summary>Bad input is a 400 (or 404 for an unknown provider) in the OpenAI envelope naming the field — never a 500.</summary>
public sealed class BadInputTests(GatewayFixture fx) : IClassFixture<GatewayFixture>
{
    [Theory]
    [InlineData("{\"model\":\"openai-compatible/x\",\"messages\":[", 400, null)]
    [InlineData("not json at all", 400, null)]
    [InlineData("", 400, null)]
    [InlineData("[]", 400, null)]
    [InlineData("null", 400, null)]
    [InlineData("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", 400, "model")]
    [InlineData("{\"model\":\"\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", 400, "model")]
    [InlineData("{\"model\":\"openai-compatible/x\"}", 400, "messages")]
    [InlineData("{\"model\":\"openai-compatible/x\",\"messages\":[]}", 400, "messages")]
    [InlineData("{\"model\":42,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", 400, "model")]
    [InlineData("{\"model\":\"openai-compatible/x\",\"messages\":\"hi\"}", 400, "messages")]
    [InlineData("{\"model\":\"openai-compatible/x\",\"temperature\":\"hot\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", 400, "temperature")]
    [InlineData("{\"model\":\"openai-compatible/x\",\"stream\":\"yes\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", 400, "stream")]
    [InlineData("{\"model\":\"openai-compatible/x\",\"messages\":[{\"role\":\"wizard\",\"content\":\"hi\"}]}", 400, "messages[0].role")]
    [InlineData("{\"model\":\"openai-compatible/x\",\"messages\":[{\"content\":\"hi\"}]}", 400, "messages[0].role")]
    [InlineData("{\"model\":\"openai-compatible/x\",\"messages\":[{\"role\":\"user\",\"content\":42}]}", 400, "messages[0].content")]
    [InlineData("{\"model\":\"openai-compatible/x\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"hologram\"}]}]}", 400, "messages[0].content[0].type")]
    [InlineData("{\"model\":\"openai-compatible/x\",\"messages\":[{\"role\":\"tool\",\"content\":\"42\"}]}", 400, "messages[0].tool_call_id")]
    [InlineData("{\"model\":\"openai-compatible/x\",\"api_key\":\"sk-leak\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", 400, "api_key")]
    [InlineData("{\"model\":\"nowhere/x\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", 404, "model")]
    [InlineData("{\"model\":\"openai-compatible/x\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":2.5}", 400, "temperature")]
    [InlineData("{\"model\":\"openai-compatible/x\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"top_p\":-0.1}", 400, "top_p")]
    [InlineData("{\"model\":\"openai-compatible/x\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"presence_penalty\":3}", 400, "presence_penalty")]
    [InlineData("{\"model\":\"openai-compatible/x\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"frequency_penalty\":-3}", 400, "frequency_penalty")]
    [InlineData("{\"model\":\"openai-compatible/x\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":0}", 400, "max_tokens")]
    [InlineData("{\"model\":\"openai-compatible/x\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_completion_tokens\":-1}", 400, "max_completion_tokens")]
    [InlineData("{\"model\":\"openai-compatible/x\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"top_logprobs\":21}", 400, "top_logprobs")]
    [InlineData("{\"model\":\"openai-compatible/x\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"timeout_s\":\"soon\"}", 400, "timeout_s")]
    public async Task Bad_requests_get_a_clear_error_naming_the_field(string body, int status, string? param)
    {
        using var http = fx.Http();
        var (response, json) = await Wire.PostAsync(http, "/v1/chat/completions", body);

        Assert.Equal(status, (int)response.StatusCode);
        var error = json!["error"]!;
        Assert.False(string.IsNullOrWhiteSpace((string?)error["message"]));
        Assert.Equal(status == 404 ? "model_not_found" : null, (string?)error["code"]);
        if (param is not null)
        {
            Assert.Equal(param, (string?)error["param"]);
        }
    }

    [Fact]
    public async Task Onnx_is_reserved_for_the_inference_service_and_says_what_to_set()
    {
        using var http = fx.Http();
        var (response, json) = await Wire.PostAsync(http, "/v1/chat/completions", """{"model":"onnx/phi-3-mini","messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("ABSTRACTCORE_INFERENCE_URL", (string?)json!["error"]!["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_provider_lists_the_known_ones()
    {
        using var http = fx.Http();
        var (_, json) = await Wire.PostAsync(http, "/nowhere/v1/chat/completions", """{"model":"x","messages":[{"role":"user","content":"hi"}]}""");
        var message = (string?)json!["error"]!["message"];
        Assert.Contains("openai-compatible", message, StringComparison.Ordinal);
        Assert.Contains("openrouter", message, StringComparison.Ordinal);
    }
}

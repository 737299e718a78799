using System.Net;
using System.Text.Json.Nodes;
using AbstractCore.Inference.Tests.Infrastructure;

namespace AbstractCore.Inference.Tests.Gateway;

/// <summary><c>POST /v1/messages/count_tokens</c> for a local model: the prompt as the model's template and tokenizer see
/// it, so the count equals the prompt tokens of the same conversation's answer.</summary>
public sealed class MessagesCountTokensTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task A_local_models_count_is_exact_and_matches_the_answers_prompt_tokens()
    {
        var model = "onnx/" + TestModels.Tiny;
        const string Conversation = """
            "system":"Be brief.","messages":[{"role":"user","content":"hello there, count me"},{"role":"assistant","content":"ok"},
            {"role":"user","content":[{"type":"text","text":"and me"}]}]
            """;

        var count = await fixture.Gateway.Http().PostAsync("v1/messages/count_tokens",
            new StringContent($$"""{"model":"{{model}}",{{Conversation}}}""", System.Text.Encoding.UTF8, "application/json"));
        var counted = JsonNode.Parse(await count.Content.ReadAsStringAsync())!;
        var (answer, message) = await Wire.PostAsync(fixture.Gateway.Http(), "v1/messages",
            $$"""{"model":"{{model}}","max_tokens":4,{{Conversation}}}""");

        Assert.True(count.StatusCode == HttpStatusCode.OK, counted.ToJsonString());
        Assert.Equal("exact", count.Headers.GetValues("X-AbstractCore-Token-Count").Single());
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var input = (long)message!["usage"]!["input_tokens"]!;
        Assert.True(input > 20, message.ToJsonString()); // byte-level tokens: every character of the rendered prompt
        Assert.Equal(input, (long)counted["input_tokens"]!);
    }
}

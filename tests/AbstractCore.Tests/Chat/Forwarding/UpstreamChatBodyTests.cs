using System.Text;
using System.Text.Json.Nodes;
using AbstractCore.Chat.Forwarding;

namespace AbstractCore.Tests.Chat.Forwarding;

/// <summary>The one-pass request rewrite: what changes, and that everything else keeps its bytes.</summary>
public sealed class UpstreamChatBodyTests
{
    private static string Rewrite(string body, bool stream = false, params (string, string)[] added) =>
        Encoding.UTF8.GetString(UpstreamChatBody.Rewrite(Encoding.UTF8.GetBytes(body), "qwen3-4b", stream, added));

    [Fact]
    public void The_model_is_swapped_and_every_other_byte_is_kept()
    {
        const string body = """{ "model" : "lmstudio/qwen3-4b", "messages":[{"role":"user","content":"caf\u00e9 \"q\" 1.50e1"}], "temperature": 1.50 }""";
        Assert.Equal("""{ "model" : "qwen3-4b", "messages":[{"role":"user","content":"caf\u00e9 \"q\" 1.50e1"}], "temperature": 1.50 }""", Rewrite(body));
    }

    [Theory]
    [InlineData("""{"base_url":"http://x","model":"a/b","messages":[]}""")]
    [InlineData("""{"model":"a/b","base_url":"http://x","messages":[]}""")]
    [InlineData("""{"model":"a/b","messages":[],"base_url":"http://x"}""")]
    [InlineData("""{"agent_format":"openai","thinking":null,"model":"a/b","timeout_s":3,"messages":[],"unload_after":true}""")]
    [InlineData("""{"tools":null,"model":"a/b","reasoning_effort":"low","messages":[],"stop":null}""")]
    public void Gateway_fields_and_null_fields_are_dropped_wherever_they_stand(string body)
    {
        var sent = JsonNode.Parse(Rewrite(body))!.AsObject();
        Assert.Equal(["model", "messages"], sent.Select(p => p.Key));
        Assert.Equal("qwen3-4b", (string?)sent["model"]);
    }

    [Fact]
    public void Thinking_fields_replace_the_clients_own_and_a_stream_asks_for_usage()
    {
        var sent = JsonNode.Parse(Rewrite(
            """{"model":"a/b","chat_template_kwargs":{"x":1},"messages":[],"stream":true}""", stream: true,
            ("chat_template_kwargs", """{"enable_thinking":false}""")))!.AsObject();

        Assert.Equal("""{"enable_thinking":false}""", sent["chat_template_kwargs"]!.ToJsonString());
        Assert.True((bool)sent["stream_options"]!["include_usage"]!);
        Assert.Single(sent, p => p.Key == "chat_template_kwargs");
    }

    [Fact]
    public void A_clients_stream_options_are_replaced_by_include_usage()
    {
        var sent = JsonNode.Parse(Rewrite("""{"model":"a/b","stream_options":{"include_usage":false},"messages":[],"stream":true}""", stream: true))!;
        Assert.True((bool)sent["stream_options"]!["include_usage"]!);
    }
}

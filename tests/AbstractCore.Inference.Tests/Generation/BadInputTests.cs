using System.Net;
using AbstractCore.Inference.Tests.Infrastructure;

namespace AbstractCore.Inference.Tests.Generation;

public sealed class BadInputTests(InferenceFixture fixture) : IClassFixture<InferenceFixture>
{
    [Theory]
    [InlineData("""{"model":"tiny","messages":[]}""", 400, "messages")]
    [InlineData("""{"model":"tiny"}""", 400, "messages")]
    [InlineData("""{"model":"tiny","messages":[{"role":"user","content":"Hi"}],"temperature":3}""", 400, "temperature")]
    [InlineData("""{"model":"tiny","messages":[{"role":"user","content":"Hi"}],"top_p":0}""", 400, "top_p")]
    [InlineData("""{"model":"tiny","messages":[{"role":"user","content":"Hi"}],"max_tokens":0}""", 400, "max_tokens")]
    [InlineData("""{"model":"tiny","messages":[{"role":"user","content":"Hi"}],"top_k":"many"}""", 400, "top_k")]
    [InlineData("""{"model":"tiny","messages":[{"role":"user","content":"Hi"}],"n":2}""", 400, "n")]
    [InlineData("""{"model":"tiny","messages":[{"role":"user","content":"Hi"}],"stop":[1]}""", 400, "stop")]
    [InlineData("""{"model":"tiny","messages":[{"role":"wizard","content":"Hi"}]}""", 400, "messages[0].role")]
    [InlineData("""{"model":"tiny","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]}]}""", 400, "messages[0].content")]
    [InlineData("""{"model":"nope","messages":[{"role":"user","content":"Hi"}]}""", 404, "model")]
    [InlineData("""{"model":"../tiny","messages":[{"role":"user","content":"Hi"}]}""", 404, "model")]
    public async Task Bad_requests_get_the_OpenAI_error_envelope(string json, int status, string param)
    {
        var (response, body) = await Wire.PostAsync(fixture.Host.Http, "v1/chat/completions", json);

        Assert.True((HttpStatusCode)status == response.StatusCode, body?.ToJsonString());
        Assert.Equal(param, (string?)body!["error"]!["param"]);
        Assert.False(string.IsNullOrEmpty((string?)body["error"]!["message"]));
        Assert.Equal("invalid_request_error", (string?)body["error"]!["type"]);
    }

    [Fact]
    public async Task Malformed_json_is_a_400()
    {
        var (response, body) = await Wire.PostAsync(fixture.Host.Http, "v1/chat/completions", """{"model":"tiny","messages":[""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull(body!["error"]);
    }

    [Fact]
    public async Task A_prompt_longer_than_the_context_is_a_400()
    {
        var (response, body) = await Wire.PostAsync(fixture.Host.Http, "v1/chat/completions",
            Wire.Chat("tiny", ("user", new string('a', 3000))));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("context_length_exceeded", (string?)body!["error"]!["code"]);
    }
}

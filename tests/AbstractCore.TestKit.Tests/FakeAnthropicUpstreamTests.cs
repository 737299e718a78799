using System.Text;
using System.Text.Json.Nodes;

namespace AbstractCore.TestKit.Tests;

public sealed class FakeAnthropicUpstreamTests
{
    private const string Body = """{"model":"claude-test","max_tokens":16,"messages":[{"role":"user","content":"Hi"}]}""";

    private static HttpRequestMessage Messages(FakeAnthropicUpstream fake, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fake.BaseUrl, "/v1/messages"))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-api-key", "x");
        request.Headers.Add("anthropic-version", "2023-06-01");
        return request;
    }

    [Fact]
    public async Task Record_true_keeps_the_request()
    {
        await using var fake = await FakeAnthropicUpstream.StartAsync();
        using var http = new HttpClient();
        using var response = await http.SendAsync(Messages(fake, Body));
        response.EnsureSuccessStatusCode();

        Assert.Single(fake.Requests);
        Assert.Equal("/v1/messages", fake.LastMessagesRequest.Path);
    }

    [Fact]
    public async Task Record_false_keeps_nothing_and_answers_the_default_reply_every_time()
    {
        await using var fake = await FakeAnthropicUpstream.StartAsync(record: false);
        using var http = new HttpClient();
        for (var i = 0; i < 3; i++)
        {
            using var response = await http.SendAsync(Messages(fake, Body));
            response.EnsureSuccessStatusCode();
            var message = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Equal("Hello from the fake Anthropic.", (string)message["content"]![0]!["text"]!);
        }

        using var streamed = await http.SendAsync(Messages(fake, Body.Replace("\"max_tokens\":16", "\"max_tokens\":16,\"stream\":true", StringComparison.Ordinal)));
        streamed.EnsureSuccessStatusCode();
        Assert.Contains("event: message_stop", await streamed.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.Empty(fake.Requests);
        Assert.Throws<InvalidOperationException>(() => fake.LastMessagesRequest);
    }
}

using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;
using AbstractCore.TestKit;

namespace AbstractCore.Api.Tests.Chat;

/// <summary>
/// A streamed tool call's argument fragments reach the client as the upstream sends them: the fake upstream stops after
/// the first fragment until the test has received it, so a gateway that held fragments back until the end would never
/// let the test release it.
/// </summary>
public sealed class StreamedFragmentTests(GatewayFixture fx) : IClassFixture<GatewayFixture>
{
    private const string Tools = """[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]""";

    [Theory]
    [InlineData(null)]
    [InlineData("passthrough")]
    [InlineData("codex")]
    public async Task The_first_argument_fragment_arrives_while_the_upstream_is_still_sending(string? agentFormat)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        fx.Upstream.Enqueue(FakeReply.HeldToolCall(release.Task, new FakeToolCall("call_h1", "get_weather", """{"city":"San Francisco, CA","days":3}""")));
        var extra = agentFormat is null ? "" : $",\"agent_format\":\"{agentFormat}\"";
        using var http = fx.Http();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent(
                $$"""{"model":"openai-compatible/fake-model"{{extra}},"stream":true,"tools":{{Tools}},"messages":[{"role":"user","content":"weather?"}]}""",
                Encoding.UTF8, "application/json"),
        };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        var arguments = new StringBuilder();
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30)); // a hang fails instead of stalling the suite
        string? id = null;
        var fragmentsBeforeRelease = 0;
        while (await reader.ReadLineAsync(patience.Token) is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal) || line == "data: [DONE]")
            {
                continue;
            }

            foreach (var call in JsonNode.Parse(line[6..])!["choices"]?[0]?["delta"]?["tool_calls"]?.AsArray() ?? [])
            {
                id ??= (string?)call!["id"];
                if ((string?)call!["function"]?["arguments"] is { Length: > 0 } fragment)
                {
                    arguments.Append(fragment);
                    if (!release.Task.IsCompleted)
                    {
                        fragmentsBeforeRelease++;
                        release.SetResult(); // only now may the upstream send the rest
                    }
                }
            }
        }

        Assert.Equal(1, fragmentsBeforeRelease);
        Assert.True(release.Task.IsCompleted, "the first fragment never reached the client");
        Assert.Equal("call_h1", id);
        Assert.Equal("""{"city":"San Francisco, CA","days":3}""", arguments.ToString());
    }
}

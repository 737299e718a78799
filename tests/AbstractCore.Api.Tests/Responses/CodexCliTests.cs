using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace AbstractCore.Api.Tests.Responses;

/// <summary>
/// The real Codex CLI drives the gateway over TCP with the Responses API (streamed, store:false, its namespace,
/// web_search and function tools, include: reasoning.encrypted_content), the gateway turns each turn into a chat
/// request for the fake upstream, and Codex runs the tool call it is given and finishes the prompt.
/// </summary>
public sealed class CodexCliTests : IAsyncLifetime
{
    private FakeOpenAIUpstream _upstream = null!;

    public async Task InitializeAsync() => _upstream = await FakeOpenAIUpstream.StartAsync();

    public async Task DisposeAsync() => await _upstream.DisposeAsync();

    /// <summary>The gateway on real Kestrel (Codex is another process), on a free loopback port.</summary>
    private GatewayFactory StartGateway(out Uri baseUrl)
    {
        var gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = GatewayFixture.Token,
            ["OPENAI_COMPATIBLE_BASE_URL"] = _upstream.BaseUrl.AbsoluteUri,
            ["URLS"] = "http://127.0.0.1:0",
        });
        gateway.UseKestrel();
        gateway.StartServer();
        var address = gateway.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        baseUrl = new Uri(address.TrimEnd('/') + "/v1");
        return gateway;
    }

    [Fact]
    public async Task Codex_exec_completes_a_prompt_with_a_tool_call_through_the_gateway()
    {
        var codex = await CodexCli.LocateAsync();
        await using var gateway = StartGateway(out var baseUrl);
        var work = Directory.CreateTempSubdirectory("acore-codex-work-").FullName;
        try
        {
            _upstream.Enqueue(
                FakeReply.ToolCalls(new FakeToolCall("call_codex_1", "exec_command", """{"cmd":"printf codex-was-here > proof.txt && cat proof.txt"}""")),
                FakeReply.Text("Finished: proof.txt is written."));

            var (exit, output) = await codex.ExecAsync(baseUrl, GatewayFixture.Model, GatewayFixture.Token, "Write proof.txt, then stop.", work);

            Assert.True(exit == 0, $"codex exec exited with {exit}:\n{output}");
            Assert.Contains("Finished: proof.txt is written.", output, StringComparison.Ordinal);
            Assert.Equal("codex-was-here", await File.ReadAllTextAsync(Path.Combine(work, "proof.txt")));

            var turns = _upstream.Requests.Where(r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal)).Select(r => r.Json!).ToList();
            Assert.Equal(2, turns.Count);
            Assert.True((bool)turns[0]["stream"]!);
            var toolNames = turns[0]["tools"]!.AsArray().Select(t => (string?)t!["function"]!["name"]).ToList();
            Assert.Contains("exec_command", toolNames);
            Assert.Contains("web_search", toolNames);
            Assert.Contains("close_agent", toolNames); // from Codex's multi_agent namespace tool, flattened

            // The second turn carries Codex's call and the command's output back to the model.
            var messages = turns[1]["messages"]!.AsArray();
            var call = messages.Single(m => m!["tool_calls"] is JsonArray)!["tool_calls"]![0]!;
            Assert.Equal("call_codex_1", (string?)call["id"]);
            Assert.Equal("exec_command", (string?)call["function"]!["name"]);
            var result = messages.Single(m => (string?)m!["role"] == "tool")!;
            Assert.Equal("call_codex_1", (string?)result["tool_call_id"]);
            Assert.Contains("codex-was-here", result["content"]!.ToJsonString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}

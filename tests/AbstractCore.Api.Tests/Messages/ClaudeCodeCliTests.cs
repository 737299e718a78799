using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;

namespace AbstractCore.Api.Tests.Messages;

/// <summary>
/// Issue 18: the real Claude Code CLI (<c>claude -p</c>, see <see cref="ClaudeCodeCli"/>) drives the gateway's
/// <c>POST /v1/messages</c> over TCP (streamed, its system blocks with cache_control, a <c>role: "system"</c> message inside
/// <c>messages</c>, adaptive thinking, its Bash tool), the gateway turns each turn into a chat request for the scripted
/// OpenAI-compatible fake, and Claude Code runs the tool call it is given, sends the result back and prints the answer.
/// </summary>
public sealed class ClaudeCodeCliTests(MessagesAgentsFixture fx) : IClassFixture<MessagesAgentsFixture>
{
    [Fact]
    public async Task Claude_code_runs_a_bash_tool_call_and_prints_the_final_answer_through_the_gateway()
    {
        var claude = await ClaudeCodeCli.LocateAsync();
        var work = Directory.CreateTempSubdirectory("acore-claude-work-").FullName;
        try
        {
            var before = fx.Upstream.Requests.Count;
            fx.Upstream.Enqueue(
                FakeReply.ToolCalls(new FakeToolCall("call_claude_1", "Bash",
                    """{"command":"printf claude-tool-ran > proof.txt && cat proof.txt","description":"Write and print a marker"}""")),
                FakeReply.Text("Done: the command printed claude-tool-ran."));

            var run = await claude.PrintAsync(fx.Root, GatewayFixture.Model, GatewayFixture.Token,
                "Write proof.txt with the Bash tool, then say what the command printed.", work);

            Assert.True(run.ExitCode == 0, $"claude -p exited with {run.ExitCode}:\n{run.All}");
            Assert.Equal("Done: the command printed claude-tool-ran.", run.Output.Trim());
            Assert.Equal("claude-tool-ran", await File.ReadAllTextAsync(Path.Combine(work, "proof.txt")));

            var turns = fx.ChatTurnsAfter(before);
            Assert.Equal(2, turns.Count);
            Assert.Equal("fake-model", (string?)turns[0]["model"]);
            Assert.True((bool)turns[0]["stream"]!);
            Assert.Contains("Bash", turns[0]["tools"]!.AsArray().Select(t => (string?)t!["function"]!["name"]));
            var system = string.Join('\n', turns[0]["messages"]!.AsArray().Where(m => (string?)m!["role"] == "system").Select(m => m!["content"]!.ToJsonString()));
            Assert.Contains("terse test agent", system, StringComparison.Ordinal); // --system-prompt, in the system blocks
            Assert.Contains("Primary working directory", system, StringComparison.Ordinal); // the role:"system" message in messages
            Assert.Contains("Write proof.txt", turns[0]["messages"]!.ToJsonString(), StringComparison.Ordinal);

            // The second turn carries Claude Code's tool_use (the id it was given: toolu_ + the upstream's) and the command's output.
            var messages = turns[1]["messages"]!.AsArray();
            var call = messages.Single(m => m!["tool_calls"] is JsonArray)!["tool_calls"]!.AsArray().Single()!;
            Assert.Equal("toolu_call_claude_1", (string?)call["id"]);
            Assert.Equal("Bash", (string?)call["function"]!["name"]);
            Assert.Contains("proof.txt", (string?)JsonNode.Parse((string)call["function"]!["arguments"]!)!["command"], StringComparison.Ordinal);
            var result = messages.Single(m => (string?)m!["role"] == "tool")!;
            Assert.Equal("toolu_call_claude_1", (string?)result["tool_call_id"]);
            Assert.Contains("claude-tool-ran", result["content"]!.ToJsonString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}

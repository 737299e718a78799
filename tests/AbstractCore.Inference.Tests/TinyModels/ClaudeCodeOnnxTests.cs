using AbstractCore.Inference.Tests.Infrastructure;
using AbstractCore.TinyModels;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace AbstractCore.Inference.Tests.TinyModels;

/// <summary>
/// Issue 18 end to end on a local model: the real Claude Code CLI (<see cref="ClaudeCodeCli"/>) posts to the gateway's
/// <c>/v1/messages</c> over TCP for <c>onnx/tiny-tools</c>; the gateway translates each turn into a chat request for
/// Inference, where the scripted model (<see cref="ScriptedModelWriter"/>) calls Bash, and once Claude Code has run the
/// command and sent its output back, answers; Claude Code prints that answer.
/// </summary>
public sealed class ClaudeCodeOnnxTests : IAsyncLifetime
{
    /// <summary>The call writes a file, so the test sees that Claude Code really ran it.</summary>
    private static readonly ScriptedModelSpec Script = ScriptedModelSpec.Default with
    {
        ArgumentsJson = """{"command":"printf scripted-tool-ran > proof.txt && cat proof.txt","description":"Write the proof file"}""",
    };

    private readonly string _models = Directory.CreateTempSubdirectory("acore-claude-onnx-models-").FullName;
    private InferenceHost _inference = null!;
    private GatewayHost Gateway { get; set; } = null!;
    private Uri _root = null!;

    public async Task InitializeAsync()
    {
        ScriptedModelWriter.Write(Path.Combine(_models, TestModels.Scripted), Script);
        _inference = await InferenceHost.StartAsync(new Dictionary<string, string?> { [InferenceSettings.ModelsDirVariable] = _models });
        Gateway = new GatewayHost(_inference.V1, new Dictionary<string, string?> { ["URLS"] = "http://127.0.0.1:0" });
        Gateway.UseKestrel();
        Gateway.StartServer();
        var address = Gateway.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _root = new Uri(address.TrimEnd('/') + "/");
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await _inference.DisposeAsync();
        Directory.Delete(_models, recursive: true);
    }

    [Fact]
    public async Task Claude_code_runs_the_scripted_bash_call_and_prints_the_final_answer()
    {
        var claude = await ClaudeCodeCli.LocateAsync();
        var work = Directory.CreateTempSubdirectory("acore-claude-onnx-").FullName;
        try
        {
            var run = await claude.PrintAsync(_root, "onnx/" + TestModels.Scripted, GatewayHost.Token,
                "Run the echo command with the Bash tool, then say what it printed.", work);

            Assert.True(run.ExitCode == 0, $"claude -p exited with {run.ExitCode}:\n{run.All}");
            Assert.Equal(Script.FinalAnswer, run.Output.Trim());
            Assert.Equal("scripted-tool-ran", await File.ReadAllTextAsync(Path.Combine(work, "proof.txt")));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}

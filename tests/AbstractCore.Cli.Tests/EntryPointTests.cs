using System.Reflection;
using System.Text.Json.Nodes;
using AbstractCore.Configuration;

namespace AbstractCore.Cli.Tests;

public sealed class EntryPointTests
{
    [Theory]
    [InlineData("--set-api-key", "openai", "k")]
    [InlineData("--list-api-keys")]
    [InlineData("--set-server-port=9000")]
    [InlineData("--clear-server-auth-token")]
    [InlineData("--allow-unauthenticated-server")]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("--set-server-colour", "red")]
    [InlineData("--port", "8000", "--set-server-host", "0.0.0.0")]
    public void Cli_flags_are_a_cli_invocation(params string[] args) => Assert.True(AbstractCoreCli.IsCliInvocation(args));

    [Theory]
    [InlineData]
    [InlineData("--host", "0.0.0.0", "--port", "8000", "--debug")]
    [InlineData("--debug")]
    [InlineData("--urls", "http://127.0.0.1:5000")]
    // What WebApplicationFactory passes: host settings as --KEY=value.
    [InlineData("--environment=Testing", "--contentRoot=/x", "--applicationName=AbstractCore.Api", "--ABSTRACTCORE_AUTH_TOKEN=t")]
    [InlineData("--set-something=odd-config-key")]
    public void Server_arguments_are_not_a_cli_invocation(params string[] args) => Assert.False(AbstractCoreCli.IsCliInvocation(args));

    /// <summary><c>dotnet run --project AbstractCore.Api -- --set-server-port 9123</c> writes the file and exits, without starting the server.</summary>
    [Fact]
    public async Task The_gateway_entry_point_runs_the_cli()
    {
        using var files = new TestFiles();
        var entry = Assembly.Load("AbstractCore.Api").EntryPoint!;
        var before = Environment.GetEnvironmentVariable(ConfigFile.FileVariable);
        Environment.SetEnvironmentVariable(ConfigFile.FileVariable, files.ConfigPath);
        try
        {
            var run = Task.Run(() => entry.Invoke(null, [new[] { "--set-server-port", "9123" }]));
            var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30)));

            Assert.Same(run, finished);
            Assert.Equal(0, (int)(await run)!);
        }
        finally
        {
            Environment.SetEnvironmentVariable(ConfigFile.FileVariable, before);
        }

        Assert.Equal(9123, (int)((JsonObject)JsonNode.Parse(File.ReadAllText(files.ConfigPath))!)["server"]!["port"]!);
        Assert.Equal(ConfigFile.Permissions, TestFiles.ModeOf(files.ConfigPath));
    }
}

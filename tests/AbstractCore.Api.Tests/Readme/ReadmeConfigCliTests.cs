using System.Text.Json.Nodes;

namespace AbstractCore.Api.Tests.Readme;

/// <summary>
/// The README's "The config file and its CLI" block, line by line, with a private home folder: each
/// <c>dotnet run --project X -- args</c> runs the suite's build of X with the same arguments (nothing is rebuilt under
/// the running tests), the tool is packed (which builds the CLI project) and installed
/// as written, and the installed <c>abstractcore</c> command writes the same file.
/// </summary>
public sealed class ReadmeConfigCliTests : IDisposable
{
    private readonly string _home = ServerProcess.CreateTempDirectory("acore-readme-cli-");

    [Fact]
    public async Task Every_command_of_the_config_section_works_as_written()
    {
        var lines = ReadmeQuickStart.SectionBlocks("### The config file and its CLI")
            .Where(b => b.Language == "bash").SelectMany(b => b.Code.Split('\n'))
            .Select(l => l.Split('#')[0].Trim()).Where(l => l.Length > 0).ToList();
        Assert.Contains(lines, l => l.StartsWith("dotnet run --project AbstractCore.Api -- --set-api-key", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("abstractcore ", StringComparison.Ordinal));

        foreach (var line in lines)
        {
            var result = await RunAsync(line);
            Assert.True(result.ExitCode == 0, $"{line}\n{result.All}");
            if (line.Contains("--list-api-keys", StringComparison.Ordinal))
            {
                Assert.Contains("openai", result.Output, StringComparison.Ordinal);
                Assert.DoesNotContain("acore-server-secret", result.Output, StringComparison.Ordinal);
            }
        }

        var file = Path.Combine(_home, ".abstractcore", "config", "abstractcore.json");
        Assert.True(OperatingSystem.IsWindows() || File.GetUnixFileMode(file) == (UnixFileMode.UserRead | UnixFileMode.UserWrite), "the config file is owner-only");
        var config = JsonNode.Parse(await File.ReadAllTextAsync(file))!.ToJsonString();
        Assert.Contains("acore-server-secret", config, StringComparison.Ordinal);
        Assert.Contains("8000", config, StringComparison.Ordinal);
    }

    public void Dispose() => ServerProcess.DeleteDirectory(_home);

    private Task<CommandResult> RunAsync(string line)
    {
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => w.Replace("/tmp/acore-tool", Path.Combine(_home, "acore-tool"), StringComparison.Ordinal)).ToList();
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = _home,
            ["DOTNET_CLI_HOME"] = _home,
            // The packages the machine already has: a private home must not mean a fresh download of everything.
            ["NUGET_PACKAGES"] = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
            ["PATH"] = Path.Combine(_home, ".dotnet", "tools") + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH"),
            ["DOTNET_NOLOGO"] = "1",
        };
        if (words is ["dotnet", "run", "--project", var project, "--", .. var arguments])
        {
            return CommandRun.RunAsync("dotnet", [ProjectProcess.ProjectDll(project), .. arguments], TimeSpan.FromMinutes(1), _home, environment);
        }

        // The installed tool by its full path: a child's PATH does not decide which file this process starts.
        var file = words[0] == "abstractcore" ? Path.Combine(_home, ".dotnet", "tools", "abstractcore") : words[0];
        return CommandRun.RunAsync(file, words[1..], TimeSpan.FromMinutes(3), ProjectProcess.RepositoryRoot, environment);
    }
}

using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AbstractCore.Api.Tests.Readme;

/// <summary>
/// The gateway process started as the quick start starts it: the README's variables, the upstream address swapped for
/// a fake speaking the OpenAI protocol, the port for a free one, and a private config folder.
/// </summary>
public sealed class ReadmeGatewayFixture : IAsyncLifetime
{
    public const string Reply = "Hello from the README's upstream.";

    public ReadmeQuickStart Readme { get; } = ReadmeQuickStart.Load();

    public string Home { get; } = ServerProcess.CreateTempDirectory("acore-readme-");

    public FakeOpenAIUpstream Upstream { get; private set; } = null!;

    public string Address { get; private set; } = null!;

    private ProjectProcess _gateway = null!;

    public async Task InitializeAsync()
    {
        Upstream = await FakeOpenAIUpstream.StartAsync();
        Upstream.DefaultReply = FakeReply.Text(Reply);
        var port = ServerProcess.GetFreePort();
        Address = $"http://127.0.0.1:{port}";

        var environment = new Dictionary<string, string>(Readme.Environment)
        {
            ["OPENAI_COMPATIBLE_BASE_URL"] = Upstream.BaseUrl.AbsoluteUri,
            ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ABSTRACTCORE_CONFIG_DIR"] = Home, // not the machine's ~/.abstractcore
            ["ABSTRACTCORE_SERVER_DISABLE_CENTRALIZED_CONFIG"] = "0",
        };
        _gateway = ProjectProcess.Start(Readme.Project, environment);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                if ((await http.GetAsync(Address + "/health")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (attempt < 240 && !_gateway.HasExited)
            {
            }

            Assert.False(_gateway.HasExited || attempt >= 240, "The gateway did not start:\n" + _gateway.Output);
            await Task.Delay(250);
        }
    }

    public async Task DisposeAsync()
    {
        _gateway?.Dispose();
        await Upstream.DisposeAsync();
        ServerProcess.DeleteDirectory(Home);
    }
}

/// <summary>
/// The quick start as a new user runs it: the gateway from <see cref="ReadmeGatewayFixture"/>, then the README's curl
/// command and C# program, unchanged but for the address. A documented command that stops working fails here.
/// </summary>
public sealed partial class ReadmeQuickStartTests(ReadmeGatewayFixture fx) : IClassFixture<ReadmeGatewayFixture>
{
    private const string Reply = ReadmeGatewayFixture.Reply;

    private ReadmeQuickStart Readme => fx.Readme;

    [Fact]
    public void The_quick_start_configures_the_provider_every_snippet_uses_and_names_the_upstream_key()
    {
        Assert.True(Directory.Exists(Path.Combine(ProjectProcess.RepositoryRoot, Readme.Project)), Readme.Project);
        Assert.Contains("ABSTRACTCORE_AUTH_TOKEN", Readme.Environment.Keys);
        Assert.Contains("OPENAI_COMPATIBLE_BASE_URL", Readme.Environment.Keys);
        Assert.Contains("OPENAI_COMPATIBLE_API_KEY", Readme.Environment.Keys);

        var token = Readme.Environment["ABSTRACTCORE_AUTH_TOKEN"];
        foreach (var snippet in (string[])[Readme.Curl, Readme.CSharp, Readme.Python])
        {
            Assert.Contains(ReadmeQuickStart.Address, snippet, StringComparison.Ordinal);
            Assert.Contains(token, snippet, StringComparison.Ordinal);
            Assert.All(ModelNames().Matches(snippet), m => Assert.StartsWith("openai-compatible/", m.Groups["model"].Value, StringComparison.Ordinal));
            Assert.NotEmpty(ModelNames().Matches(snippet));
        }
    }

    [Fact]
    public async Task The_curl_command_gets_the_upstreams_answer_with_the_upstream_key_not_the_token()
    {
        var curl = await CommandRun.RunAsync("bash", ["-c", Local(Readme.Curl)], TimeSpan.FromMinutes(1));

        Assert.True(curl.ExitCode == 0, curl.All);
        Assert.Equal(Reply, (string?)JsonNode.Parse(curl.Output)!["choices"]![0]!["message"]!["content"]);
        Assert.Equal("Bearer " + Readme.Environment["OPENAI_COMPATIBLE_API_KEY"], fx.Upstream.LastChatRequest.Headers["Authorization"]);
    }

    [Fact]
    public async Task The_anthropic_clients_curl_command_gets_the_upstreams_answer_as_a_message()
    {
        var block = ReadmeQuickStart.SectionBlocks("### Claude Code and other Anthropic clients").Single(b => b.Language == "bash").Code;
        var command = block[block.IndexOf("curl ", StringComparison.Ordinal)..];
        Assert.Contains("ANTHROPIC_BASE_URL=" + ReadmeQuickStart.Address + " ", block, StringComparison.Ordinal);

        var curl = await CommandRun.RunAsync("bash", ["-c", Local(command)], TimeSpan.FromMinutes(1));

        Assert.True(curl.ExitCode == 0, curl.All);
        var message = JsonNode.Parse(curl.Output)!;
        Assert.Equal(("message", "end_turn"), ((string?)message["type"], (string?)message["stop_reason"]));
        Assert.Equal(Reply, (string?)message["content"]![0]!["text"]);
    }

    [Fact]
    public async Task The_virtual_keys_commands_make_a_key_call_with_it_and_show_its_spend()
    {
        var block = ReadmeQuickStart.SectionBlocks("### Virtual keys, budgets, rate limits and spend").Single(b => b.Language == "bash").Code;
        Assert.Contains("Bearer " + Readme.Environment["ABSTRACTCORE_AUTH_TOKEN"], block, StringComparison.Ordinal);

        var run = await CommandRun.RunAsync("bash", ["-c", "set -e\n" + Local(block)], TimeSpan.FromMinutes(1));

        Assert.True(run.ExitCode == 0, run.All);
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(Reply, lines[0], StringComparison.Ordinal);
        var spend = JsonNode.Parse(lines[^1])!["data"]!.AsArray();
        Assert.Contains(spend, row => (string?)row!["key_name"] == "billing-app" && (int)row["requests"]! == 1);
        Assert.DoesNotContain(fx.Upstream.LastChatRequest.Headers, h => h.Value.Contains("ack-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_csharp_program_prints_the_upstreams_answer()
    {
        var project = Path.Combine(fx.Home, "csharp-snippet");
        Directory.CreateDirectory(project);
        await File.WriteAllTextAsync(Path.Combine(project, "Snippet.csproj"), $$"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="OpenAI" Version="{{OpenAIPackageVersion()}}" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(project, "Program.cs"), Local(Readme.CSharp));

        var program = await CommandRun.RunAsync("dotnet", ["run", "--nologo"], TimeSpan.FromMinutes(5), project);

        Assert.True(program.ExitCode == 0, program.All);
        Assert.Equal(Reply, program.Output.Trim().Split('\n')[^1].Trim());
    }

    /// <summary>The Python client cannot be installed here (no package index), so the snippet is compiled, not run: a
    /// syntax slip fails; what it sends is the C# program's request, which runs above.</summary>
    [Fact]
    public async Task The_python_snippet_compiles()
    {
        var file = Path.Combine(fx.Home, "snippet.py");
        await File.WriteAllTextAsync(file, Readme.Python);
        var compile = await CommandRun.RunAsync("python3", ["-m", "py_compile", file], TimeSpan.FromMinutes(1));
        Assert.True(compile.ExitCode == 0, compile.All);
    }

    [Fact]
    public async Task The_docs_the_quick_start_points_at_answer()
    {
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(fx.Address + "/docs")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(fx.Address + "/openapi.json")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(fx.Address + "/")).StatusCode);
    }

    /// <summary>The snippet pointed at this test's gateway instead of port 8000.</summary>
    private string Local(string snippet) => snippet.Replace(ReadmeQuickStart.Address, fx.Address, StringComparison.Ordinal);

    /// <summary>The version the solution pins (Directory.Packages.props), so the program builds from the local cache.</summary>
    private static string OpenAIPackageVersion()
    {
        var props = File.ReadAllText(Path.Combine(ProjectProcess.RepositoryRoot, "Directory.Packages.props"));
        return PackageVersion().Match(props).Groups["version"].Value;
    }


    [GeneratedRegex(@"model[""']?\s*[:=]\s*[""'](?<model>[^""']+)[""']|ChatClient\(""(?<model>[^""]+)""")]
    private static partial Regex ModelNames();

    [GeneratedRegex("""<PackageVersion Include="OpenAI" Version="(?<version>[^"]+)" />""")]
    private static partial Regex PackageVersion();
}

using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace AbstractCore.AppHost.Tests;

/// <summary>
/// The files that consume the manifest and the images (azure.yaml, deploy/compose.yaml, the env file example) agree
/// with the projects they name, so a renamed project, image or setting cannot leave them behind silently.
/// </summary>
public sealed partial class ManifestDeploymentFilesTests
{
    private static readonly string Root = FindRepositoryRoot();

    [Fact]
    public void AzureYamlDeploysTheAppHostToContainerApps()
    {
        var yaml = File.ReadAllText(Path.Combine(Root, "azure.yaml"));

        Assert.Matches(@"(?m)^\s+language:\s*dotnet\s*$", yaml);
        Assert.Matches(@"(?m)^\s+host:\s*containerapp\s*$", yaml);
        var project = Regex.Match(yaml, @"(?m)^\s+project:\s*(?<path>\S+)\s*$").Groups["path"].Value;
        Assert.Equal(
            Path.Combine(Root, "AbstractCore.AppHost", "AbstractCore.AppHost.csproj"),
            Path.GetFullPath(project, Root));
        Assert.True(File.Exists(Path.GetFullPath(project, Root)));
    }

    [Theory]
    [InlineData("api", "AbstractCore.Api")]
    [InlineData("inference", "AbstractCore.Inference")]
    [InlineData("jobs", "AbstractCore.Jobs")]
    public void ComposeRunsTheImageEachProjectPublishes(string service, string project)
    {
        var csproj = XDocument.Load(Path.Combine(Root, project, $"{project}.csproj"));
        var repository = csproj.Descendants("ContainerRepository").Single().Value;
        Assert.Contains(csproj.Descendants("Import"), i => i.Attribute("Project")!.Value.Replace('\\', '/') == "../deploy/Containers.props");

        var image = ComposeService(service).Match(@"(?m)^    image:\s*(?<image>\S+)").Groups["image"].Value;
        Assert.Matches($"/{Regex.Escape(repository)}:" + @"\$\{ABSTRACTCORE_TAG:-latest\}$", image);
    }

    [Fact]
    public void ComposeReachesTheServicesOnThePortTheImagesListenOn()
    {
        var props = XDocument.Load(Path.Combine(Root, "deploy", "Containers.props"));
        var port = props.Descendants("ContainerPort").Single().Attribute("Include")!.Value;
        Assert.Equal(port, props.Descendants("ContainerEnvironmentVariable")
            .Single(e => e.Attribute("Include")!.Value == "ASPNETCORE_HTTP_PORTS").Attribute("Value")!.Value);

        Assert.Contains($"ABSTRACTCORE_INFERENCE_URL: http://inference:{port}/v1", ComposeService("api").Text, StringComparison.Ordinal);
        var nginx = File.ReadAllText(Path.Combine(Root, "deploy", "nginx.conf"));
        Assert.Contains($"server api:{port} resolve;", nginx, StringComparison.Ordinal);
        // The shared health check asks each service on that port; none publishes it (only the load balancer does).
        Assert.Contains($"/dev/tcp/127.0.0.1/{port} ", ComposeFile(), StringComparison.Ordinal);
        foreach (var service in new[] { "api", "inference", "jobs" })
        {
            Assert.Contains("<<: *service", ComposeService(service).Text, StringComparison.Ordinal);
            Assert.DoesNotContain("ports:", ComposeService(service).Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void EveryVariableTheComposeFileReadsIsInTheEnvFileExample()
    {
        var example = File.ReadAllText(Path.Combine(Root, "deploy", "abstractcore.env.example"));
        var defined = Regex.Matches(example, @"(?m)^#?\s?(?<name>[A-Z][A-Z0-9_]*)=").Select(m => m.Groups["name"].Value).ToHashSet();
        var used = Regex.Matches(ComposeFile(), @"\$\{(?<name>[A-Z][A-Z0-9_]*)").Select(m => m.Groups["name"].Value).Distinct();

        Assert.All(used, name => Assert.Contains(name, defined));
        // An example, not a deployment: nothing that looks like a real key.
        Assert.DoesNotMatch(@"(?m)^[A-Z_]*(KEY|TOKEN|PASSWORD)=(?!change-me)\S", example);
    }

    private static string ComposeFile() => File.ReadAllText(Path.Combine(Root, "deploy", "compose.yaml"));

    /// <summary>One service's block of compose.yaml (two-space indented name, until the next one).</summary>
    private static ComposeBlock ComposeService(string name)
    {
        var match = Regex.Match(ComposeFile(), $@"(?ms)^  {Regex.Escape(name)}:\n(?<body>.*?)(?=^  \S|^\S|\z)");
        Assert.True(match.Success, $"compose.yaml has no service '{name}'.");
        return new(match.Groups["body"].Value);
    }

    private sealed record ComposeBlock(string Text)
    {
        public Match Match(string pattern) => Regex.Match(Text, pattern);
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AbstractCore.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No AbstractCore.sln above {AppContext.BaseDirectory}.");
    }
}

using System.Xml.Linq;

namespace AbstractCore.AppHost.Tests;

/// <summary>
/// The gateway's cold-start setting <c>DOTNET_TieredPGO_InstrumentOnlyHotCode=0</c> (bench/README.md, "Cold start"),
/// which the runtime reads from the environment only, reaches it from its launch profile (<c>dotnet run</c>, the
/// AppHost) and from the container images.
/// </summary>
public sealed class ApiTieringSettingTests
{
    private const string Variable = "DOTNET_TieredPGO_InstrumentOnlyHotCode";

    [Fact]
    public async Task The_AppHost_starts_the_api_with_it()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var builder = await AppModel.CreateAsync(timeout.Token, AppModel.NoChatProvider);

        var api = await AppModel.EnvironmentAsync(builder, "api");

        Assert.Equal("0", api[Variable]?.ToString());
    }

    [Fact]
    public void The_container_images_set_it()
    {
        var props = XDocument.Load(Path.Combine(Root(), "deploy", "Containers.props"));

        Assert.Contains(props.Descendants("ContainerEnvironmentVariable"),
            e => (string?)e.Attribute("Include") == Variable && (string?)e.Attribute("Value") == "0");
    }

    private static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AbstractCore.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("AbstractCore.sln not found above " + AppContext.BaseDirectory);
    }
}

using System.Text.Json.Nodes;

namespace AbstractCore.Api.Tests.Runtime;

/// <summary>The api's runtimeconfig carries the runtime settings its csproj states, whichever way it is started.</summary>
public sealed class RuntimeSettingsTests
{
    private static readonly JsonNode Properties =
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "AbstractCore.Api.runtimeconfig.json")))!["runtimeOptions"]!["configProperties"]!;

    [Fact]
    public void Hot_methods_are_counted_for_optimization_at_once()
    {
        Assert.Equal(0, (int)Properties["System.Runtime.TieredCompilation.CallCountingDelayMs"]!); // cold start: bench/README.md
    }

    [Fact]
    public void Garbage_collection_is_workstation_and_concurrent()
    {
        Assert.False((bool)Properties["System.GC.Server"]!); // held streams: bench/results/2026-12-05-gc-mode.md
    }
}

using System.Diagnostics.Metrics;
using AbstractCore.Inference.Scheduling;
using AbstractCore.Inference.Telemetry;
using AbstractCore.OpenAI.Chat;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AbstractCore.Inference.Tests.Telemetry;

/// <summary>Run alone, after the parallel tests: their listeners would otherwise be listening.</summary>
[CollectionDefinition(nameof(NoListenersCollection), DisableParallelization = true)]
public sealed class NoListenersCollection;

/// <summary>Nothing exported, nothing recorded: a generation pays no span, no timing, no allocation for telemetry.</summary>
[Collection(nameof(NoListenersCollection))]
public sealed class ZeroCostTests
{
    [Fact]
    public void Without_listeners_a_generation_starts_no_telemetry_and_allocates_nothing_for_it()
    {
        Assert.False(InferenceTelemetry.Source.HasListeners());
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var settings = InferenceSettings.From(new ConfigurationBuilder().Build());
        var telemetry = new InferenceTelemetry(services.GetRequiredService<IMeterFactory>(), new Scheduler(settings));
        var request = new ChatCompletionRequest { Model = "tiny" };

        Assert.Null(telemetry.Start(request));
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            _ = telemetry.Start(request);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}

using System.Diagnostics.Metrics;
using AbstractCore.Api.Telemetry;
using AbstractCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AbstractCore.Api.Tests.Telemetry;

/// <summary>Run alone, after the parallel tests: their listeners would otherwise be listening.</summary>
[CollectionDefinition(nameof(NoListenersCollection), DisableParallelization = true)]
public sealed class NoListenersCollection;

/// <summary>Nothing exported, nothing recorded: the hot path pays no span, no timing, no allocation for telemetry.</summary>
[Collection(nameof(NoListenersCollection))]
public sealed class ZeroCostTests
{
    [Fact]
    public void Without_listeners_a_chat_call_starts_no_telemetry_and_allocates_nothing_for_it()
    {
        Assert.False(GatewayTelemetry.Source.HasListeners());
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var telemetry = new GatewayTelemetry(services.GetRequiredService<IMeterFactory>());
        var model = new ModelRef("openai", "gpt-4o-mini");

        // The call is not even looked at when nothing listens.
        Assert.Null(telemetry.Start(null!, model, bill: null));
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            _ = telemetry.Start(null!, model, bill: null);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}

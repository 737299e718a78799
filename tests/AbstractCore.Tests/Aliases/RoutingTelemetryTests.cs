using System.Diagnostics;
using System.Diagnostics.Metrics;
using AbstractCore.Aliases;
using AbstractCore.Upstream;

namespace AbstractCore.Tests.Aliases;

/// <summary>Each attempt is a <c>route {alias}</c> span naming its deployment, outcome and why the one before was given up;
/// attempts and fallbacks are counted.</summary>
public sealed class RoutingTelemetryTests
{
    [Fact]
    public async Task Each_attempt_is_a_span_and_a_count()
    {
        var alias = ModelAliases.Parse("""{"telemetry/x": {"deployments": [{"name": "a", "model": "vllm/m"}, {"name": "b", "model": "vllm/m", "weight": 0}]}}""");
        var router = new AliasRouter(alias, new LocalCooldowns());
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == RoutingTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if ((string?)a.GetTagItem("abstractcore.alias") == "telemetry/x")
                {
                    lock (spans)
                    {
                        spans.Add(a);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var counts = new List<(string Instrument, string? Outcome)>();
        using var meters = new MeterListener
        {
            InstrumentPublished = (i, l) =>
            {
                if (i.Meter.Name == RoutingTelemetry.Name)
                {
                    l.EnableMeasurementEvents(i);
                }
            },
        };
        meters.SetMeasurementEventCallback<long>((i, _, tags, _) =>
        {
            string? alias = null, outcome = null;
            foreach (var t in tags)
            {
                (alias, outcome) = t.Key switch
                {
                    "abstractcore.alias" => ((string?)t.Value, outcome),
                    "abstractcore.outcome" or "abstractcore.retry_reason" => (alias, (string?)t.Value),
                    _ => (alias, outcome),
                };
            }

            if (alias == "telemetry/x")
            {
                lock (counts)
                {
                    counts.Add((i.Name, outcome));
                }
            }
        });
        meters.Start();
        var failed = new GatewayException(502, "x", "upstream_error")
        {
            Headers = new Dictionary<string, string> { [UpstreamFailure.StatusHeader] = "503" },
        };

        var call = router.Call(alias.All.Single(), static _ => false, null, callersKey: false);
        await router.RunAsync(call, (d, _) => d.Deployment.Name == "a" ? Task.FromException(failed) : Task.CompletedTask, default);

        Assert.Equal(2, spans.Count);
        Assert.Equal(("a", "status_5xx", null), ((string?)spans[0].GetTagItem("abstractcore.deployment"), (string?)spans[0].GetTagItem("abstractcore.outcome"), spans[0].GetTagItem("abstractcore.retry_reason")));
        Assert.Equal(("b", "success", "status_5xx"), ((string?)spans[1].GetTagItem("abstractcore.deployment"), (string?)spans[1].GetTagItem("abstractcore.outcome"), (string?)spans[1].GetTagItem("abstractcore.retry_reason")));
        Assert.Equal(ActivityStatusCode.Error, spans[0].Status);
        Assert.Contains((RoutingTelemetry.AttemptsInstrument, "status_5xx"), counts);
        Assert.Contains((RoutingTelemetry.AttemptsInstrument, "success"), counts);
        Assert.Contains((RoutingTelemetry.FallbacksInstrument, "status_5xx"), counts);
    }
}

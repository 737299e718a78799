using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace AbstractCore.Api.Tests.Telemetry;

/// <summary>
/// Every service (Api, Inference, Jobs) starts with <c>AddServiceDefaults()</c>: with <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>
/// set, its tracer provider takes the spans of the AbstractCore sources and MassTransit, and its meter provider their
/// metrics; without it, no provider exists at all.
/// </summary>
public sealed class ServiceDefaultsWiringTests
{
    private static WebApplication Build(string? otlpEndpoint, SpanSink? sink = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlpEndpoint });
        builder.AddServiceDefaults();
        if (sink is not null)
        {
            builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(sink));
        }

        return builder.Build();
    }

    [Theory]
    [InlineData("AbstractCore.Api")]
    [InlineData("AbstractCore.Inference")]
    [InlineData("AbstractCore.Jobs")]
    [InlineData("MassTransit")]
    public async Task With_an_otlp_endpoint_the_services_sources_are_traced_and_their_meters_collected(string name)
    {
        var sink = new SpanSink();
        await using var app = Build("http://127.0.0.1:1", sink);
        _ = app.Services.GetRequiredService<TracerProvider>();
        _ = app.Services.GetRequiredService<OpenTelemetry.Metrics.MeterProvider>();

        using var source = new ActivitySource(name);
        var marker = Guid.NewGuid().ToString("N");
        using (var span = source.StartActivity("probe"))
        {
            Assert.NotNull(span);
            span.SetTag("marker", marker);
        }

        Assert.Contains(sink.Spans, s => s.Source.Name == name && (string?)s.GetTagItem("marker") == marker);

        // A meter no test listener looks at (no scope): only the service's meter provider can enable it.
        using var meter = new Meter(name);
        Assert.True(meter.CreateCounter<long>("probe").Enabled);
    }

    [Fact]
    public async Task Without_an_otlp_endpoint_nothing_is_wired()
    {
        await using var app = Build(null);
        Assert.Null(app.Services.GetService<TracerProvider>());
        Assert.Null(app.Services.GetService<OpenTelemetry.Metrics.MeterProvider>());
    }

    /// <summary>Keeps the spans the service's tracer provider ends.</summary>
    private sealed class SpanSink : BaseProcessor<Activity>
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<Activity> _spans = new();

        public IReadOnlyCollection<Activity> Spans => _spans;

        public override void OnEnd(Activity data) => _spans.Enqueue(data);
    }
}

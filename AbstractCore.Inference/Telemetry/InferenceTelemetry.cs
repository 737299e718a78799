using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using AbstractCore.Inference.Scheduling;
using AbstractCore.OpenAI.Chat;

namespace AbstractCore.Inference.Telemetry;

/// <summary>
/// The Inference service's spans and metrics (activity source and meter <c>AbstractCore.Inference</c>): a
/// <c>chat {model}</c> span per generation inside ASP.NET Core's server span (which continues the caller's trace from
/// its <c>traceparent</c>), the server-side GenAI histograms, token counts, and the scheduler's queue per model as
/// observable gauges. Nothing is allocated per request while nobody listens.
/// </summary>
internal sealed class InferenceTelemetry
{
    public const string Name = TelemetryNames.Inference;

    /// <summary>Histogram <c>{token}</c>: prompt (input) and generated (output) tokens per request.</summary>
    public const string TokenUsageInstrument = "abstractcore.inference.token.usage";

    /// <summary>Observable gauge <c>{request}</c>: requests waiting for a generation slot, per model.</summary>
    public const string QueuedInstrument = "abstractcore.inference.scheduler.queued";

    /// <summary>Observable gauge <c>{request}</c>: generations running, per model.</summary>
    public const string RunningInstrument = "abstractcore.inference.scheduler.running";

    /// <summary>What the gateway calls this service; the spans' <c>gen_ai.provider.name</c>.</summary>
    public const string ProviderName = "onnx";

    public static readonly ActivitySource Source = new(Name, typeof(InferenceTelemetry).Assembly.GetName().Version?.ToString());

    [SuppressMessage("Reliability", "CA2000", Justification = "The IMeterFactory owns and disposes the meters it creates.")]
    public InferenceTelemetry(IMeterFactory meters, Scheduler scheduler)
    {
        var meter = meters.Create(Name);
        RequestDuration = meter.CreateHistogram(GenAiConventions.ServerRequestDuration, "s", "Duration of chat requests, queue wait included.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = GenAiConventions.DurationBuckets });
        TimeToFirstToken = meter.CreateHistogram(GenAiConventions.ServerTimeToFirstToken, "s", "Time from a streamed request to its first token.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = GenAiConventions.DurationBuckets });
        TokenUsage = meter.CreateHistogram(TokenUsageInstrument, "{token}", "Prompt and generated tokens per request.",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = GenAiConventions.TokenBuckets });
        meter.CreateObservableGauge(QueuedInstrument, () => Observe(scheduler, queued: true), "{request}",
            "Requests waiting for a generation slot.");
        meter.CreateObservableGauge(RunningInstrument, () => Observe(scheduler, queued: false), "{request}",
            "Generations running.");
    }

    internal Histogram<double> RequestDuration { get; }

    internal Histogram<double> TimeToFirstToken { get; }

    internal Histogram<long> TokenUsage { get; }

    /// <summary>One request's span and timings, or null when nothing listens.</summary>
    public GenerationTelemetry? Start(ChatCompletionRequest request)
    {
        var activity = Source.HasListeners() ? Source.CreateActivity(GenAiConventions.ChatOperation, ActivityKind.Internal) : null;
        if (activity is null && !RequestDuration.Enabled && !TimeToFirstToken.Enabled && !TokenUsage.Enabled)
        {
            return null;
        }

        return new GenerationTelemetry(this, activity, request);
    }

    private static IEnumerable<Measurement<int>> Observe(Scheduler scheduler, bool queued)
    {
        foreach (var (model, gate) in scheduler.Gates)
        {
            yield return new Measurement<int>(queued ? gate.Waiting : gate.Running, new KeyValuePair<string, object?>(GenAiConventions.RequestModel, model));
        }
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Xunit;

namespace AbstractCore.TestKit.Telemetry;

/// <summary>
/// Records the spans of the named sources as they stop. Listeners are process-wide and tests run in parallel, so a test
/// starts its own trace (<see cref="TestTrace"/>) and reads only the spans of that trace.
/// </summary>
public sealed class SpanCollector : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _stopped = new();

    public SpanCollector(params string[] sources)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => sources.Contains(source.Name),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public List<Activity> InTrace(ActivityTraceId trace) => _stopped.Where(a => a.TraceId == trace).ToList();

    /// <summary>Waits until the trace holds what the test expects (spans stop after the answer has left).</summary>
    public async Task<List<Activity>> WaitAsync(ActivityTraceId trace, Func<List<Activity>, bool> complete, string what)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            var spans = InTrace(trace);
            if (complete(spans))
            {
                return spans;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Never recorded: {what}. Spans in the trace: {string.Join(", ", spans.Select(s => $"{s.Source.Name}:{s.DisplayName}"))}");
            }

            await Task.Delay(10);
        }
    }

    public void Dispose() => _listener.Dispose();
}

/// <summary>A W3C trace the test starts, sent as <c>traceparent</c> so the gateway's server span joins it.</summary>
public sealed record TestTrace(ActivityTraceId Id, ActivitySpanId Root)
{
    public static TestTrace New() => new(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom());

    public string Header => $"00-{Id}-{Root}-01";

    public HttpRequestMessage Post(string path, string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Wire.Json(json) };
        request.Headers.TryAddWithoutValidation("traceparent", Header);
        return request;
    }
}

/// <summary>Records measurements of the named meters made by one app's <see cref="IMeterFactory"/> (other apps in the
/// process use meters of the same names).</summary>
public sealed class MeterCollector : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<Recorded> _measurements = new();

    public MeterCollector(IMeterFactory? scope, params string[] meters)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (meters.Contains(instrument.Meter.Name) && (scope is null || ReferenceEquals(instrument.Meter.Scope, scope)))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Keep(i, v, t));
        _listener.SetMeasurementEventCallback<int>((i, v, t, _) => Keep(i, v, t));
        _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Keep(i, v, t));
        _listener.Start();
    }

    public List<Recorded> Of(string instrument) => _measurements.Where(m => m.Instrument == instrument).ToList();

    /// <summary>Asks the observable instruments (gauges) for their values now.</summary>
    public void Observe() => _listener.RecordObservableInstruments();

    public void Clear() => _measurements.Clear();

    public void Dispose() => _listener.Dispose();

    private void Keep(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        _measurements.Enqueue(new Recorded(instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));

    public sealed record Recorded(string Instrument, double Value, Dictionary<string, object?> Tags)
    {
        public object? this[string tag] => Tags.GetValueOrDefault(tag);
    }
}

using System.Collections.Concurrent;

namespace AbstractCore.Inference.Scheduling;

/// <summary>One <see cref="ModelGate"/> per model name, all with the configured limits.</summary>
internal sealed class Scheduler(InferenceSettings settings)
{
    private readonly ConcurrentDictionary<string, ModelGate> _gates = new(StringComparer.Ordinal);

    /// <summary>Every model's gate so far (the telemetry's queue gauges read them).</summary>
    public IEnumerable<KeyValuePair<string, ModelGate>> Gates => _gates;

    public ModelGate For(string model) => _gates.GetOrAdd(model, _ => new ModelGate(settings.MaxConcurrency, settings.MaxQueue));
}

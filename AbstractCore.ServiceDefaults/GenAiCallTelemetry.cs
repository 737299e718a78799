namespace Microsoft.Extensions.Hosting;

/// <summary>
/// One GenAI call as telemetry (the gateway's upstream call, the Inference service's generation): failures are noted
/// as they come, and the span and metrics are written once, on the first <see cref="Dispose"/>.
/// </summary>
public abstract class GenAiCallTelemetry : IDisposable
{
    private bool _ended;

    /// <summary>Notes the failure for <c>error.type</c> and the span's status.</summary>
    public abstract void Fail(Exception failure);

    /// <summary>An exception filter that records and never catches.</summary>
    public static bool Record(GenAiCallTelemetry? telemetry, Exception failure)
    {
        telemetry?.Fail(failure);
        return false;
    }

    public void Dispose()
    {
        if (_ended)
        {
            return;
        }

        _ended = true;
        Finish();
        GC.SuppressFinalize(this);
    }

    /// <summary>Writes the metrics and stops the span; called once.</summary>
    protected abstract void Finish();
}

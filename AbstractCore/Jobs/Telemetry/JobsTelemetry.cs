using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AbstractCore.Jobs.Telemetry;

/// <summary>
/// The media-job consumer's spans and metrics (activity source and meter <c>AbstractCore.Jobs</c>): a <c>job {kind}</c>
/// span per delivery, inside MassTransit's consume span (which continues the submitting request's trace from the
/// message headers); <c>abstractcore.jobs.running</c>, the jobs this process is running now; and
/// <c>abstractcore.jobs.duration</c> by kind and outcome.
/// </summary>
internal sealed class JobsTelemetry
{
    public const string Name = "AbstractCore.Jobs";

    public const string RunningInstrument = "abstractcore.jobs.running";
    public const string DurationInstrument = "abstractcore.jobs.duration";

    public const string JobId = "abstractcore.job.id";
    public const string JobKind = "abstractcore.job.kind";
    public const string JobAttempt = "abstractcore.job.attempt";
    public const string JobOutcome = "abstractcore.job.outcome";

    public static readonly ActivitySource Source = new(Name, typeof(JobsTelemetry).Assembly.GetName().Version?.ToString());

    private long _running;

    public JobsTelemetry(IMeterFactory meters)
    {
        Meter = meters.Create(Name);
        Meter.CreateObservableUpDownCounter(RunningInstrument, () => Interlocked.Read(ref _running), "{job}",
            "Jobs this process has claimed and is running.");
        Duration = Meter.CreateHistogram<double>(DurationInstrument, "s", "Time a delivery of a job message took, by outcome.");
    }

    /// <summary>The meter, for the worker's queue-depth gauge.</summary>
    public Meter Meter { get; }

    internal Histogram<double> Duration { get; }

    public JobRun Start(string jobId, string kind, int attempt)
    {
        var activity = Source.HasListeners() ? Source.CreateActivity("job", ActivityKind.Internal) : null;
        if (activity is not null)
        {
            activity.DisplayName = "job " + kind;
            activity.SetTag(JobId, jobId);
            activity.SetTag(JobKind, kind);
            activity.SetTag(JobAttempt, attempt);
            activity.Start();
        }

        return new JobRun(this, activity, kind);
    }

    internal void Running(int delta) => Interlocked.Add(ref _running, delta);
}

/// <summary>One delivery of a job message; dispose it when the consumer returns or throws.</summary>
internal sealed class JobRun(JobsTelemetry owner, Activity? activity, string kind) : IDisposable
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private string? _outcome;
    private string? _errorType;
    private bool _claimed;
    private bool _ended;

    public Activity? Activity => activity;

    /// <summary>This delivery won the claim and runs the job.</summary>
    public void Claimed()
    {
        if (!_claimed)
        {
            _claimed = true;
            owner.Running(1);
        }
    }

    /// <summary>How the delivery ended: <c>succeeded</c>, <c>failed</c>, <c>retry</c>, <c>skipped</c>, <c>expired</c>, <c>lost</c>.</summary>
    public void Outcome(string outcome, Exception? error = null)
    {
        _outcome = outcome;
        if (error is not null)
        {
            _errorType = error is GatewayException g ? g.Status.ToString(System.Globalization.CultureInfo.InvariantCulture) : error.GetType().FullName;
            activity?.SetStatus(ActivityStatusCode.Error, error.Message);
        }
    }

    public void Dispose()
    {
        if (_ended)
        {
            return;
        }

        _ended = true;
        if (_claimed)
        {
            owner.Running(-1);
        }

        var outcome = _outcome ?? "cancelled";
        var tags = new TagList { { JobsTelemetry.JobKind, kind }, { JobsTelemetry.JobOutcome, outcome } };
        if (_errorType is not null)
        {
            tags.Add("error.type", _errorType);
        }

        owner.Duration.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds, tags);
        if (activity is not null)
        {
            activity.SetTag(JobsTelemetry.JobOutcome, outcome);
            activity.SetTag("error.type", _errorType);
            activity.Stop();
        }
    }
}

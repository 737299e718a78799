using AbstractCore.Jobs.Contracts;
using AbstractCore.Media;
using AbstractCore.Upstream;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace AbstractCore.Jobs;

/// <summary>
/// Runs one media job. Idempotent: the job store's queued→running claim (with a lease this worker renews while it
/// works) decides who runs a job, so a redelivered or duplicated message never starts a finished job again, waits
/// while a live worker holds it, and takes over only when that worker's lease ran out (it died). The run itself is
/// not tied to the message (see <see cref="JobRuns"/>): when the broker connection drops, the upstream call goes on
/// and its result is stored, and the redelivered message joins that run or finds the job done. The one step that
/// cannot be made atomic, the upstream call, carries <c>Idempotency-Key: acore-job-{id}</c>: if a worker dies after
/// the upstream answered but before the result was stored, the next run asks again with the same key.
/// </summary>
internal sealed partial class MediaJobConsumer(
    IJobStore store, MediaCallRunner upstream, JobRuns runs, JobSettings settings, JobWorkerIdentity identity, TimeProvider time,
    Telemetry.JobsTelemetry telemetry, ILogger<MediaJobConsumer> logger) : IConsumer<RunMediaJob>
{
    public async Task Consume(ConsumeContext<RunMediaJob> context)
    {
        var (id, kind) = (context.Message.JobId, context.Message.Kind); // the run may outlive this context
        var attempt = context.GetRetryAttempt();

        // The claim belongs to this delivery of this message in this process: its own retries keep it, while a
        // duplicate message or a redelivery to another worker must wait for the lease. A redelivery here (the broker
        // connection dropped) finds the run still going in JobRuns and waits for it instead.
        var owner = identity.Owner + ":" + (context.MessageId?.ToString("N") ?? Guid.NewGuid().ToString("N"));
        while (true)
        {
            var (run, started) = runs.GetOrStart(id, stopping => RunAsync(id, kind, attempt, owner, stopping));
            await ((Task)run).WaitAsync(context.CancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (context.CancellationToken.IsCancellationRequested)
            {
                LogDeliveryGone(logger, id);
                context.CancellationToken.ThrowIfCancellationRequested();
            }

            if (!started)
            {
                // Another delivery's run of this job (its outcome is that delivery's): it ended, so look at the job again.
                LogJoined(logger, id);
                continue;
            }

            var outcome = await run;
            if (outcome.Transient is { } e)
            {
                throw new TransientJobException(e.Message, e); // the bus retries (or dead-letters after the last retry)
            }

            if (outcome.IsCancelled)
            {
                throw new OperationCanceledException($"The host stopped before job {id} finished; its message goes back to the queue.");
            }

            return;
        }
    }

    /// <summary>Claims the job and runs it to a stored outcome; only <paramref name="stopping"/> (the host) cancels it.</summary>
    private async Task<JobRunOutcome> RunAsync(string id, string kind, int attempt, string owner, CancellationToken stopping)
    {
        using var run = telemetry.Start(id, kind, attempt);
        var claim = await ClaimAsync(id, owner, stopping);
        if (claim.Outcome != JobClaimOutcome.Claimed)
        {
            run.Outcome("skipped");
            LogSkipped(logger, id, claim.Outcome);
            return JobRunOutcome.Done;
        }

        run.Claimed();
        var call = await store.GetCallAsync(id, stopping);
        if (call is null)
        {
            run.Outcome("expired");
            await store.FailAsync(id, "The job's request expired before a worker could run it.", CancellationToken.None);
            return JobRunOutcome.Done;
        }

        byte[] result;
        using (var heartbeat = CancellationTokenSource.CreateLinkedTokenSource(stopping))
        {
            var renewing = RenewAsync(id, owner, heartbeat.Token);
            try
            {
                result = await CallAsync(id, call, stopping);
            }
            catch (GatewayException e) when (JobFailures.IsTransient(e))
            {
                LogTransient(logger, id, attempt + 1, e.Message);
                run.Outcome(attempt >= settings.Retries ? "failed" : "retry", e);
                if (attempt >= settings.Retries)
                {
                    // The last try: keep the reason on the job; the consumer's rethrow moves the message to the error queue.
                    await store.FailAsync(id, $"Failed after {attempt + 1} attempt(s): {e.Message}", CancellationToken.None);
                }

                return new JobRunOutcome(e);
            }
            catch (GatewayException e)
            {
                run.Outcome("failed", e);
                await store.FailAsync(id, e.Message, CancellationToken.None);
                return JobRunOutcome.Done;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogUnexpected(logger, e, id);
                run.Outcome("failed", e);
                await store.FailAsync(id, "The job failed unexpectedly: " + e.Message, CancellationToken.None);
                return JobRunOutcome.Done;
            }
            finally
            {
                await heartbeat.CancelAsync();
                await renewing;
            }
        }

        if (!await store.SucceedAsync(id, owner, result, CancellationToken.None))
        {
            run.Outcome("lost");
            LogLostClaim(logger, id);
            return JobRunOutcome.Done;
        }

        run.Outcome("succeeded");
        return JobRunOutcome.Done;
    }

    /// <summary>The upstream call, bounded by the upstream timeout (the message no longer bounds it).</summary>
    private Task<byte[]> CallAsync(string id, MediaCall call, CancellationToken stopping) =>
        // The Api admitted the job (server token, key guards) when it was submitted.
        UpstreamDeadline.RunAsync(call.Provider, settings.UpstreamTimeout,
            token => upstream.RunAsync(call, explicitKey: null, serverAuthenticated: true, "acore-job-" + id, token), stopping);

    /// <summary>Claims the job, waiting while another live worker holds it.</summary>
    private async Task<JobClaim> ClaimAsync(string id, string owner, CancellationToken cancellationToken)
    {
        while (true)
        {
            var claim = await store.TryClaimAsync(id, owner, settings.Lease, cancellationToken);
            if (claim.Outcome != JobClaimOutcome.Busy)
            {
                return claim;
            }

            // Either a duplicate of a message a live worker is running (it will finish the job: the next claim
            // sees it terminal) or a redelivery after that worker died (its lease runs out, then we take over).
            // Look again at least every second: a live holder usually finishes well before its lease ends.
            var wait = claim.LeaseUntil - time.GetUtcNow() + TimeSpan.FromMilliseconds(50);
            wait = wait < TimeSpan.FromMilliseconds(50) ? TimeSpan.FromMilliseconds(50) : wait > TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait;
            LogBusy(logger, id, wait.TotalSeconds);
            await Task.Delay(wait, time, cancellationToken);
        }
    }

    private async Task RenewAsync(string id, string owner, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(settings.Lease / 3, time, cancellationToken);
                await store.RenewAsync(id, owner, settings.Lease, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId}: its message's delivery was cancelled (broker connection lost or host " +
        "stopping); the run goes on and stores its result, and the redelivered message will find it")]
    private static partial void LogDeliveryGone(ILogger logger, string jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} was already running here for an earlier delivery; waited for it instead of calling the upstream again")]
    private static partial void LogJoined(ILogger logger, string jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} not run: {Outcome}")]
    private static partial void LogSkipped(ILogger logger, string jobId, JobClaimOutcome outcome);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} is held by another worker; trying again in {Seconds:0.##} s")]
    private static partial void LogBusy(ILogger logger, string jobId, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} attempt {Attempt} failed transiently: {Reason}")]
    private static partial void LogTransient(ILogger logger, string jobId, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} was finished by another worker first; this result is dropped")]
    private static partial void LogLostClaim(ILogger logger, string jobId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId} failed unexpectedly")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string jobId);
}

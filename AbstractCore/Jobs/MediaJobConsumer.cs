using AbstractCore.Jobs.Contracts;
using AbstractCore.Media;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace AbstractCore.Jobs;

/// <summary>
/// Runs one media job. Idempotent: the job store's queued→running claim (with a lease this worker renews while it
/// works) decides who runs a job, so a redelivered or duplicated message never starts a finished job again, waits
/// while a live worker holds it, and takes over only when that worker's lease ran out (it died). The one step that
/// cannot be made atomic, the upstream call, carries <c>Idempotency-Key: acore-job-{id}</c>: if a worker dies after
/// the upstream answered but before the result was stored, the next run asks again with the same key.
/// </summary>
public sealed partial class MediaJobConsumer(
    IJobStore store, MediaCallRunner upstream, JobSettings settings, JobWorkerIdentity identity, TimeProvider time,
    Telemetry.JobsTelemetry telemetry, ILogger<MediaJobConsumer> logger) : IConsumer<RunMediaJob>
{
    public async Task Consume(ConsumeContext<RunMediaJob> context)
    {
        var id = context.Message.JobId;
        var cancellationToken = context.CancellationToken;
        using var run = telemetry.Start(id, context.Message.Kind, context.GetRetryAttempt());

        // The claim belongs to this delivery of this message in this process: its own retries keep it, while a
        // duplicate message (even in this process) or a redelivery to another worker must wait for the lease.
        var owner = identity.Owner + ":" + (context.MessageId?.ToString("N") ?? Guid.NewGuid().ToString("N"));
        var claim = await ClaimAsync(id, owner, cancellationToken);
        if (claim.Outcome != JobClaimOutcome.Claimed)
        {
            run.Outcome("skipped");
            LogSkipped(logger, id, claim.Outcome);
            return;
        }

        run.Claimed();
        var call = await store.GetCallAsync(id, cancellationToken);
        if (call is null)
        {
            run.Outcome("expired");
            await store.FailAsync(id, "The job's request expired before a worker could run it.", cancellationToken);
            return;
        }

        byte[] result;
        using (var heartbeat = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            var renewing = RenewAsync(id, owner, heartbeat.Token);
            try
            {
                // The Api admitted the job (server token, key guards) when it was submitted.
                result = await upstream.RunAsync(call, explicitKey: null, serverAuthenticated: true, "acore-job-" + id, cancellationToken);
            }
            catch (GatewayException e) when (JobFailures.IsTransient(e))
            {
                var attempt = context.GetRetryAttempt();
                LogTransient(logger, id, attempt + 1, e.Message);
                run.Outcome(attempt >= settings.Retries ? "failed" : "retry", e);
                if (attempt >= settings.Retries)
                {
                    // The last try: keep the reason on the job; the rethrow moves the message to the error queue.
                    await store.FailAsync(id, $"Failed after {attempt + 1} attempt(s): {e.Message}", CancellationToken.None);
                }

                throw new TransientJobException(e.Message, e);
            }
            catch (GatewayException e)
            {
                run.Outcome("failed", e);
                await store.FailAsync(id, e.Message, CancellationToken.None);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogUnexpected(logger, e, id);
                run.Outcome("failed", e);
                await store.FailAsync(id, "The job failed unexpectedly: " + e.Message, CancellationToken.None);
                return;
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
            return;
        }

        run.Outcome("succeeded");
    }

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

using AbstractCore.Api.Keys;
using AbstractCore.Api.Media;
using AbstractCore.Jobs;
using AbstractCore.Media;
using AbstractCore.OpenAI.Images;
using AbstractCore.Spend;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AbstractCore.Api.Jobs;

/// <summary>The job routes' answers: the id of a queued job, and a job's state when polled.</summary>
internal static class JobsHandler
{
    public static JsonHttpResult<JobCreated> Created(string id) => TypedResults.Json(new JobCreated(id), MediaWireJsonContext.Default.JobCreated);

    /// <summary>Queues the call, recording who submitted it: its cost is booked to that key when it completes, not now.</summary>
    public static Task<string> SubmitAsync(HttpContext context, JobSubmitter submitter, MediaCall call) =>
        submitter.SubmitAsync(call, MediaBilling.Model(call), KeyContext.Of(context)?.Id, context.RequestAborted);

    /// <summary>The job record as stored (already JSON), so it is written as bytes.</summary>
    public static async Task<IResult> GetAsync(string job_id, bool? consume, IJobStore store, IJobSpend spend, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(job_id))
        {
            throw GatewayException.BadRequest("job_id is required.", "job_id");
        }

        var id = job_id.Trim();
        var job = consume == true
            ? await store.ConsumeAsync(id, cancellationToken)
            : await store.GetAsync(id, cancellationToken);
        if (job is null)
        {
            throw new GatewayException(404, "Job not found", "not_found_error", "job_id", "job_not_found");
        }

        await ChargeAsync(job, consume == true, store, spend, cancellationToken);
        return Results.Bytes(JobView.Write(job), "application/json");
    }

    /// <summary>
    /// Books a succeeded job's cost to the key that submitted it, the first time a poll sees it succeeded. Not where it
    /// succeeds: that is the job consumer, which runs in the separate Jobs worker when RabbitMQ is set, a process with no
    /// spend ledger. A poll is the one place the Api sees every result it hands out, in either mode, and the store makes
    /// it once: a read claims the charge atomically (one replica wins), and a consume that deleted the job uncharged
    /// books it itself, since no one can claim a deleted job. A result nobody ever fetches is not billed.
    /// </summary>
    private static async Task ChargeAsync(JobRecord job, bool consumed, IJobStore store, IJobSpend spend, CancellationToken cancellationToken)
    {
        if (job is not { State: JobStates.Succeeded, Charged: false, Result: { } result } ||
            (!consumed && !await store.ClaimChargeAsync(job.Id, cancellationToken)))
        {
            return;
        }

        spend.JobCompleted(job.KeyId, job.Provider ?? "", job.Model ?? "default", MediaBilling.Of(job.Kind, result));
    }
}

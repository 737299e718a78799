using AbstractCore.Jobs;
using AbstractCore.OpenAI.Images;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AbstractCore.Api.Jobs;

/// <summary>The job routes' answers: the id of a queued job, and a job's state when polled.</summary>
internal static class JobsHandler
{
    public static JsonHttpResult<JobCreated> Created(string id) => TypedResults.Json(new JobCreated(id), MediaWireJsonContext.Default.JobCreated);

    /// <summary>The job record as stored (already JSON), so it is written as bytes.</summary>
    public static async Task<IResult> GetAsync(string job_id, bool? consume, IJobStore store, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(job_id))
        {
            throw GatewayException.BadRequest("job_id is required.", "job_id");
        }

        var job = consume == true
            ? await store.ConsumeAsync(job_id.Trim(), cancellationToken)
            : await store.GetAsync(job_id.Trim(), cancellationToken);
        return job is null
            ? throw new GatewayException(404, "Job not found", "not_found_error", "job_id", "job_not_found")
            : Results.Bytes(JobView.Write(job), "application/json");
    }
}

using System.Globalization;
using AbstractCore.Jobs.Contracts;
using AbstractCore.Media;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace AbstractCore.Jobs;

/// <summary>
/// Stores a new job (queued) and sends its message to the job queue within <see cref="JobSettings.SendTimeout"/>.
/// No job is left queued without a message: when the send fails, times out or the client goes away first, the job
/// is failed (only while no worker has claimed it) and the client gets a 503 with <c>Retry-After</c>. If a worker
/// did claim it, the message got through after all and the job id is the answer.
/// </summary>
public sealed partial class JobSubmitter(IJobStore store, IBus bus, JobSettings settings, TimeProvider time, ILogger<JobSubmitter> logger)
{
    private static readonly Uri Queue = new("queue:" + JobSettings.QueueName);

    /// <param name="model">The model the call asks for, as the job's bill names it.</param>
    /// <param name="keyId">The virtual key submitting the job: its cost is booked to it when it completes.</param>
    public async Task<string> SubmitAsync(MediaCall call, string model, string? keyId, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString("N");
        var now = InMemoryJobStore.Seconds(time.GetUtcNow());
        await store.CreateAsync(new JobRecord
        {
            Id = id, Kind = call.Kind, State = JobStates.Queued, CreatedAt = now, UpdatedAt = now, Progress = JobProgress.Queued,
            KeyId = keyId, Provider = call.Provider, Model = model,
        }, call, cancellationToken);

        // MassTransit waits for a broker connection without limit (it reconnects in the background): bound the wait.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.SendTimeout);
        try
        {
            // Sent to the queue (declared on send), not published: a message sent while no worker has ever
            // started waits in the queue instead of being dropped by an exchange without bindings.
            var endpoint = await bus.GetSendEndpoint(Queue);
            await endpoint.Send(new RunMediaJob(id, call.Kind), deadline.Token);
            return id;
        }
        catch (Exception e)
        {
            var reason = cancellationToken.IsCancellationRequested ? "the client went away before it was sent"
                : e is OperationCanceledException ? $"RabbitMQ did not accept it within {settings.SendTimeout.TotalSeconds:0.#} s"
                : e.GetBaseException().Message;
            if (!await AbandonAsync(id, "The job could not be queued: " + reason + "."))
            {
                return id; // a worker already claimed it: the message did get through
            }

            LogNotQueued(logger, id, reason);
            cancellationToken.ThrowIfCancellationRequested();
            throw new GatewayException(503, "The job queue is unavailable, so the job was not accepted; try again shortly.",
                "service_unavailable", code: "job_queue_unavailable")
            {
                Headers = new Dictionary<string, string>
                {
                    ["Retry-After"] = JobSettings.QueueRetryAfter.TotalSeconds.ToString(CultureInfo.InvariantCulture),
                },
            };
        }
    }

    /// <returns>false only when a worker has the job; a store that cannot be reached counts as abandoned (nobody
    /// learns the id of a job answered with 503, and it expires unseen).</returns>
    private async Task<bool> AbandonAsync(string id, string reason)
    {
        try
        {
            return await store.AbandonAsync(id, reason, CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogNotAbandoned(logger, e, id);
            return true;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId} was not queued and could not be marked failed either; it expires unseen")]
    private static partial void LogNotAbandoned(ILogger logger, Exception exception, string jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} was not queued ({Reason}); it is marked failed and the client got 503. " +
        "Check that RabbitMQ (ConnectionStrings__messaging) is up and accepts messages.")]
    private static partial void LogNotQueued(ILogger logger, string jobId, string reason);
}

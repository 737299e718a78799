using AbstractCore.Jobs.Contracts;
using AbstractCore.Media;
using MassTransit;

namespace AbstractCore.Jobs;

/// <summary>Stores a new job (queued) and sends its message to the job queue.</summary>
public sealed class JobSubmitter(IJobStore store, IBus bus, TimeProvider time)
{
    private static readonly Uri Queue = new("queue:" + JobSettings.QueueName);

    public async Task<string> SubmitAsync(MediaCall call, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString("N");
        var now = InMemoryJobStore.Seconds(time.GetUtcNow());
        await store.CreateAsync(new JobRecord
        {
            Id = id, Kind = call.Kind, State = JobStates.Queued, CreatedAt = now, UpdatedAt = now, Progress = JobProgress.Queued,
        }, call, cancellationToken);

        try
        {
            // Sent to the queue (declared on send), not published: a message sent while no worker has ever
            // started waits in the queue instead of being dropped by an exchange without bindings.
            var endpoint = await bus.GetSendEndpoint(Queue);
            await endpoint.Send(new RunMediaJob(id, call.Kind), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await store.FailAsync(id, "The job could not be queued: " + e.Message, CancellationToken.None);
            throw new GatewayException(503, "The job queue is unavailable; try again shortly.", "service_unavailable",
                code: "job_queue_unavailable");
        }

        return id;
    }
}

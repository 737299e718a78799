using AbstractCore.Media;

namespace AbstractCore.Jobs;

/// <summary>
/// Job records and their calls: Redis (shared by every Api replica and worker) or memory (standalone).
/// Every state change is one atomic compare-and-set, which is what makes consumers idempotent.
/// </summary>
public interface IJobStore
{
    Task CreateAsync(JobRecord job, MediaCall media, CancellationToken cancellationToken);

    Task<JobRecord?> GetAsync(string id, CancellationToken cancellationToken);

    Task<MediaCall?> GetCallAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// queued → running for <paramref name="owner"/> with a lease. A running job is taken over only when its lease
    /// expired (its worker died) or it is already this owner's (a retry of the same message delivery); a terminal job
    /// is never run again.
    /// </summary>
    Task<JobClaim> TryClaimAsync(string id, string owner, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Extends the lease while the owner works; false when the job is no longer this owner's.</summary>
    Task<bool> RenewAsync(string id, string owner, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>running → succeeded, only for the owner; false when another worker finished it first.</summary>
    Task<bool> SucceedAsync(string id, string owner, byte[] result, CancellationToken cancellationToken);

    /// <summary>Any non-terminal state → failed with the reason; false when already terminal.</summary>
    Task<bool> FailAsync(string id, string reason, CancellationToken cancellationToken);

    /// <summary>
    /// queued → failed, only while no worker has claimed the job: for a submission whose message may not have reached
    /// the queue. False when a worker has it (the message did get through) or it is gone.
    /// </summary>
    Task<bool> AbandonAsync(string id, string reason, CancellationToken cancellationToken);

    /// <summary>Returns the job and deletes it when it is terminal (succeeded or failed); an unfinished job is kept.</summary>
    Task<JobRecord?> ConsumeAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Marks a succeeded job charged (<see cref="JobRecord.Charged"/>) in one atomic step, so that however many replicas
    /// poll it at once its cost is booked once: true for the first caller only; false when it is not succeeded, is gone
    /// (a consume that deleted it saw it uncharged, and books it itself), or was charged already.
    /// </summary>
    Task<bool> ClaimChargeAsync(string id, CancellationToken cancellationToken);
}

public enum JobClaimOutcome
{
    Claimed,
    Missing,
    Terminal,

    /// <summary>Another live worker holds the lease.</summary>
    Busy,
}

/// <param name="LeaseUntil">For <see cref="JobClaimOutcome.Busy"/>: when the other worker's lease ends.</param>
/// <param name="Attempt">For <see cref="JobClaimOutcome.Claimed"/>: the attempt number, from 1.</param>
public readonly record struct JobClaim(JobClaimOutcome Outcome, DateTimeOffset LeaseUntil = default, int Attempt = 0);

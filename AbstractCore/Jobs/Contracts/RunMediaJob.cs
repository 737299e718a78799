namespace AbstractCore.Jobs.Contracts;

/// <summary>
/// Asks a worker to run one stored job. The call itself (prompt, files, provider) stays in the job store, so the
/// message is small and carries no secret; a redelivered copy is harmless (see <see cref="IJobStore.TryClaimAsync"/>).
/// </summary>
internal sealed record RunMediaJob(string JobId, string Kind);

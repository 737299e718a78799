using AbstractCore.Media;

namespace AbstractCore.Jobs;

/// <summary>
/// The standalone store: one process, one lock. Finished jobs expire <see cref="JobSettings.Ttl"/> after their
/// last update; past <see cref="JobSettings.MaxJobs"/> the oldest finished jobs go first, then the oldest unfinished.
/// </summary>
internal sealed class InMemoryJobStore(JobSettings settings, TimeProvider time) : IJobStore
{
    private readonly Dictionary<string, Entry> _jobs = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public Task CreateAsync(JobRecord job, MediaCall media, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Sweep();
            while (_jobs.Count >= settings.MaxJobs)
            {
                var oldest = _jobs.Values.OrderBy(e => !JobStates.IsTerminal(e.Job.State)).ThenBy(e => e.Job.UpdatedAt).First();
                _jobs.Remove(oldest.Job.Id);
            }

            _jobs[job.Id] = new Entry { Job = job, Call = media };
        }

        return Task.CompletedTask;
    }

    public Task<JobRecord?> GetAsync(string id, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Sweep();
            return Task.FromResult(_jobs.GetValueOrDefault(id)?.Job);
        }
    }

    public Task<MediaCall?> GetCallAsync(string id, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_jobs.GetValueOrDefault(id)?.Call);
        }
    }

    public Task<JobClaim> TryClaimAsync(string id, string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_jobs.TryGetValue(id, out var entry))
            {
                return Task.FromResult(new JobClaim(JobClaimOutcome.Missing));
            }

            var now = time.GetUtcNow();
            if (JobStates.IsTerminal(entry.Job.State))
            {
                return Task.FromResult(new JobClaim(JobClaimOutcome.Terminal));
            }

            if (entry.Job.State == JobStates.Running && entry.Owner != owner && entry.LeaseUntil > now)
            {
                return Task.FromResult(new JobClaim(JobClaimOutcome.Busy, entry.LeaseUntil));
            }

            var attempt = entry.Job.Attempts + 1;
            entry.Owner = owner;
            entry.LeaseUntil = now + lease;
            entry.Job = entry.Job with
            {
                State = JobStates.Running, Attempts = attempt, UpdatedAt = Seconds(now), Progress = JobProgress.Running,
            };
            return Task.FromResult(new JobClaim(JobClaimOutcome.Claimed, entry.LeaseUntil, attempt));
        }
    }

    public Task<bool> RenewAsync(string id, string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_jobs.TryGetValue(id, out var entry) && entry.Owner == owner && entry.Job.State == JobStates.Running)
            {
                entry.LeaseUntil = time.GetUtcNow() + lease;
                return Task.FromResult(true);
            }

            return Task.FromResult(false);
        }
    }

    public Task<bool> SucceedAsync(string id, string owner, byte[] result, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_jobs.TryGetValue(id, out var entry) || entry.Owner != owner || entry.Job.State != JobStates.Running)
            {
                return Task.FromResult(false);
            }

            entry.Job = entry.Job with
            {
                State = JobStates.Succeeded, Result = result, UpdatedAt = Seconds(time.GetUtcNow()), Progress = JobProgress.Succeeded,
            };
            entry.Call = null;
            return Task.FromResult(true);
        }
    }

    public Task<bool> FailAsync(string id, string reason, CancellationToken cancellationToken) =>
        Task.FromResult(Fail(id, reason, state => !JobStates.IsTerminal(state)));

    public Task<bool> AbandonAsync(string id, string reason, CancellationToken cancellationToken) =>
        Task.FromResult(Fail(id, reason, state => state == JobStates.Queued));

    private bool Fail(string id, string reason, Func<string, bool> from)
    {
        lock (_lock)
        {
            if (!_jobs.TryGetValue(id, out var entry) || !from(entry.Job.State))
            {
                return false;
            }

            entry.Job = entry.Job with
            {
                State = JobStates.Failed, Error = reason, UpdatedAt = Seconds(time.GetUtcNow()), Progress = JobProgress.Failed(reason),
            };
            entry.Call = null;
            return true;
        }
    }

    public Task<JobRecord?> ConsumeAsync(string id, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Sweep();
            if (!_jobs.TryGetValue(id, out var entry))
            {
                return Task.FromResult<JobRecord?>(null);
            }

            if (JobStates.IsTerminal(entry.Job.State))
            {
                _jobs.Remove(id);
            }

            return Task.FromResult<JobRecord?>(entry.Job);
        }
    }

    public Task<bool> ClaimChargeAsync(string id, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_jobs.TryGetValue(id, out var entry) || entry.Job.State != JobStates.Succeeded || entry.Job.Charged)
            {
                return Task.FromResult(false);
            }

            entry.Job = entry.Job with { Charged = true };
            return Task.FromResult(true);
        }
    }

    private void Sweep()
    {
        var now = Seconds(time.GetUtcNow());
        List<string>? expired = null;
        foreach (var (id, entry) in _jobs)
        {
            var ttl = JobStates.IsTerminal(entry.Job.State) ? settings.Ttl : JobSettings.InFlightTtl;
            if (now - entry.Job.UpdatedAt > ttl.TotalSeconds)
            {
                (expired ??= []).Add(id);
            }
        }

        expired?.ForEach(id => _jobs.Remove(id));
    }

    internal static double Seconds(DateTimeOffset at) => at.ToUnixTimeMilliseconds() / 1000.0;

    private sealed class Entry
    {
        public required JobRecord Job { get; set; }
        public MediaCall? Call { get; set; }
        public string? Owner { get; set; }
        public DateTimeOffset LeaseUntil { get; set; }
    }
}

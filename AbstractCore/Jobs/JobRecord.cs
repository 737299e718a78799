namespace AbstractCore.Jobs;

/// <summary>The job states a client sees.</summary>
public static class JobStates
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";

    public static bool IsTerminal(string state) => state is Succeeded or Failed;
}

/// <summary>One job as stored: its state, progress, and the answer (succeeded) or the reason (failed).</summary>
public sealed record JobRecord
{
    public required string Id { get; init; }
    public required string Kind { get; init; }
    public required string State { get; init; }
    public required double CreatedAt { get; init; }
    public required double UpdatedAt { get; init; }
    public required JobProgress Progress { get; init; }

    /// <summary>The answer as UTF-8 JSON (<c>{"created","data":[…]}</c>), only when succeeded.</summary>
    public byte[]? Result { get; init; }

    public string? Error { get; init; }

    /// <summary>How many times a worker claimed the job (1 unless it was retried or its worker died).</summary>
    public int Attempts { get; init; }

    /// <summary>The virtual key that submitted the job, which its cost is booked to; null for the server token.</summary>
    public string? KeyId { get; init; }

    /// <summary>The provider and model the job calls, as its bill names them (the call itself is deleted once it finishes).</summary>
    public string? Provider { get; init; }

    public string? Model { get; init; }

    /// <summary>Whether the job's cost has been booked (see <see cref="IJobStore.ClaimChargeAsync"/>).</summary>
    public bool Charged { get; init; }
}

/// <summary>Progress as the original reports it: steps, a message, a phase, a 0–1 fraction and whether it is final.</summary>
public sealed record JobProgress(int Step, int TotalSteps, string? Message, string Phase, double Progress, bool Terminal)
{
    public static JobProgress Queued { get; } = new(0, 1, "Waiting for a worker", JobStates.Queued, 0, false);

    public static JobProgress Running { get; } = new(0, 1, "Calling the upstream", JobStates.Running, 0, false);

    public static JobProgress Succeeded { get; } = new(1, 1, "Done", JobStates.Succeeded, 1, true);

    public static JobProgress Failed(string reason) => new(0, 1, reason, JobStates.Failed, 0, true);
}

namespace AbstractCore.Jobs;

/// <summary>Which upstream failures are worth retrying: unreachable, 5xx (mapped to 502), timeouts and 429.</summary>
internal static class JobFailures
{
    public static bool IsTransient(GatewayException e) => e.Status is 408 or 429 or 502 or 503 or 504;
}

/// <summary>A failure the bus retries with backoff (and dead-letters after the last retry).</summary>
internal sealed class TransientJobException : Exception
{
    public TransientJobException()
    {
    }

    public TransientJobException(string message)
        : base(message)
    {
    }

    public TransientJobException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Who holds a job's lease: one id per worker process.</summary>
internal sealed class JobWorkerIdentity
{
    public string Owner { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
}

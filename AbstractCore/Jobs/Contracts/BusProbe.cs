namespace AbstractCore.Jobs.Contracts;

/// <summary>Sent by <see cref="JobQueueHealthCheck"/> to an exchange nobody listens to: proof that the bus can send.</summary>
internal sealed record BusProbe(DateTimeOffset SentAt);

namespace AbstractCore.Spend;

/// <summary>
/// Where an async job's usage goes once it has succeeded. A job is submitted on one request and finishes later, so its
/// cost is booked to the key that submitted it (stored with the job), not to whoever polls it. Called once per
/// succeeded job; a failed job is never reported.
/// </summary>
public interface IJobSpend
{
    /// <param name="keyId">The virtual key that submitted the job; null for the server token or an open route.</param>
    void JobCompleted(string? keyId, string provider, string model, Usage usage);
}

/// <summary>The default until a spend ledger is registered: billing is off.</summary>
public sealed class NoJobSpend : IJobSpend
{
    public static NoJobSpend Instance { get; } = new();

    public void JobCompleted(string? keyId, string provider, string model, Usage usage)
    {
    }
}

namespace AbstractCore.Inference.Residency;

/// <summary>What a load asks of the resident model: <c>pin</c>, <c>lock</c> and <c>ttl_s</c> (idle time before unloading).</summary>
internal sealed record LoadOptions(bool Pin, bool Lock, TimeSpan? IdleTtl)
{
    /// <summary>A first use: not pinned, not locked, no TTL.</summary>
    public static LoadOptions Lazy { get; } = new(false, false, null);

    /// <summary>An explicit load adds its pin and lock to the model and sets its TTL when it names one.</summary>
    public ResidentModel ApplyTo(ResidentModel resident)
    {
        resident.Pinned |= Pin;
        resident.Locked |= Lock;
        if (IdleTtl is { } ttl)
        {
            resident.IdleTtl = ttl;
        }

        return resident;
    }
}

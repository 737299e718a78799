namespace AbstractCore.Inference.Residency;

/// <summary>One request's hold on a resident model; disposing it lets an unload free the memory.</summary>
internal sealed class ModelLease(ResidentModel resident) : IDisposable
{
    private int _released;

    public ResidentModel Resident { get; } = resident;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            Resident.Release();
        }
    }
}

namespace AbstractCore.Blocs;

/// <summary>
/// Where bloc records and their text live: Redis when the gateway has a <c>cache</c>, else files under the AbstractCore
/// home. Text is kept once per content hash, however many records or upserts share it.
/// </summary>
public interface IBlocStore
{
    /// <summary>Creates or replaces the record of <paramref name="record"/>'s sha256 (keeping its bloc_id once given) and
    /// stores <paramref name="text"/> under its content hash unless already there. Returns the record with its bloc_id.</summary>
    Task<BlocRecord> UpsertAsync(BlocRecord record, string text, CancellationToken cancellationToken);

    /// <summary>The records the selector names (all of them when it is empty), by bloc_id.</summary>
    Task<IReadOnlyList<BlocRecord>> ListAsync(BlocSelector selector, CancellationToken cancellationToken);

    /// <summary>The one record the selector names, or null.</summary>
    Task<BlocRecord?> GetAsync(BlocSelector selector, CancellationToken cancellationToken);

    /// <summary>The record's text, or null when it is gone.</summary>
    Task<string?> GetTextAsync(BlocRecord record, CancellationToken cancellationToken);

    /// <summary>Deletes the record, and its text when no other record uses it; false when there was no such record.</summary>
    Task<bool> DeleteAsync(string sha256, CancellationToken cancellationToken);
}

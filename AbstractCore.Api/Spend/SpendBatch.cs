namespace AbstractCore.Api.Spend;

/// <summary>
/// Rows a replica sends to the store together. A replica sends its batches one at a time, in <see cref="Sequence"/>
/// order, and sends a batch again, unchanged, until the store has answered it: so the store applies a batch only when
/// its sequence is past the last one it applied for that <see cref="Replica"/>, and a batch whose answer was lost is
/// not counted twice.
/// </summary>
internal sealed record SpendBatch(string Replica, long Sequence, IReadOnlyList<KeyValuePair<SpendRowKey, SpendCounts>> Rows);

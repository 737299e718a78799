using System.Globalization;
using StackExchange.Redis;

namespace AbstractCore.Api.Keys.Limits;

/// <summary>
/// One key's counts on this replica. Every field is read and written under <see cref="Gate"/> (a lock per key, held
/// for a few arithmetic operations, never across a Redis call). Times are <see cref="TimeProvider"/> timestamps.
/// </summary>
internal sealed class KeyLimitState(RedisKey redisKey)
{
    public readonly Lock Gate = new();

    public RedisKey RedisKey { get; } = redisKey;

    /// <summary>The key's limits at its last use: the background sync works without the key record.</summary>
    public int? Rpm;
    public long? Tpm;

    /// <summary>Redis's start of the shared window (ms of its clock); 0 while none is known (a local window only).</summary>
    public long WindowStart;

    /// <summary>When the window ends here; 0 while none is open.</summary>
    public long WindowEnd;

    /// <summary>
    /// Requests this replica may still admit without asking Redis: already counted in the shared window. It ends with
    /// that window (so does the record it came from), so there is nothing to hand back; <see cref="Block"/> keeps small
    /// what an idle replica holds unused meanwhile.
    /// </summary>
    public int Lease;

    /// <summary>The shared window's requests (leased or admitted, every replica) and tokens, as Redis last answered.</summary>
    public long Counted;
    public long TokensCounted;

    /// <summary>
    /// Requests admitted without a lease (Redis away, or no answer in time) and tokens used, as running totals of the
    /// epoch, and how much of each Redis has confirmed. The epoch changes with the window: Redis keeps the totals
    /// per replica and epoch and adds only what is new, so nothing is counted twice.
    /// </summary>
    public int Epoch;
    public long Admitted;
    public long AdmittedReported;
    public long Tokens;
    public long TokensReported;

    public int Parallel;

    /// <summary>Requests waiting for the call in flight: the next fetch asks for at least that many.</summary>
    public int Waiting;

    public long LastUsed;

    /// <summary>Dropped from the limiter's table: whoever still holds it looks the key up again.</summary>
    public bool Evicted;

    /// <summary>The one Redis call in flight for this key (fetch or sync), and what it carries.</summary>
    public Task? Call;
    private TaskCompletionSource? _callDone;
    public int? SentRpm;
    public int SentEpoch;
    public long SentAdmitted;
    public long SentTokens;
    public long SentAt;
    public int Want;

    /// <summary>The window's requests as this replica sees them; its own unused lease is part of <see cref="Counted"/>.</summary>
    public long RequestsUsed => Counted + Admitted - AdmittedReported;

    /// <summary>The window's tokens as this replica sees them: the last shared figure plus what it has not pushed yet.</summary>
    public long TokensUsed => TokensCounted + Tokens - TokensReported;

    public void Touch(VirtualKey key, long now)
    {
        LastUsed = now;
        Rpm = key.Rpm;
        Tpm = key.Tpm;
    }

    /// <summary>Ends the window once its time is up, then opens one anchored here if none is open.</summary>
    public void Roll(long now, long windowTicks)
    {
        if (WindowEnd != 0 && now >= WindowEnd)
        {
            Reset();
        }

        if (WindowEnd == 0)
        {
            WindowEnd = now + windowTicks;
        }
    }

    /// <summary>
    /// Lease size: a tenth of the limit, shrinking to half of what the window has left as it fills, so what a replica
    /// holds unused when the window ends (stranded quota the others could not take) stays small.
    /// </summary>
    public int Block(int rpm) => (int)Math.Max(1, Math.Min((rpm + 9) / 10, (rpm - Counted + 1) / 2));

    public Task BeginCall(int want, int? rpm, long now)
    {
        SentRpm = rpm;
        SentEpoch = Epoch;
        SentAdmitted = Admitted;
        SentTokens = Tokens;
        SentAt = now;
        Want = want;
        _callDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return Call = _callDone.Task;
    }

    /// <summary>What the call <see cref="BeginCall"/> reserved carries to Redis for this key.</summary>
    public WindowCall Sent(string replica) => new(SentRpm, Want, replica + ":" + SentEpoch.ToString(CultureInfo.InvariantCulture), SentAdmitted, SentTokens);

    /// <summary>Frees the slot; the caller completes the returned source once out of the lock.</summary>
    public TaskCompletionSource EndCall()
    {
        var done = _callDone!;
        (Call, _callDone) = (null, null);
        return done;
    }

    /// <summary>
    /// Takes in Redis's answer to the call in flight. Its window is mapped onto this replica's clock from the time the
    /// call was sent, so it ends here no later than in Redis: a lease is never used past the window that granted it.
    /// </summary>
    public void Apply(in WindowAnswer answer, long now, long windowMs, long frequency)
    {
        if (SentEpoch == Epoch)
        {
            AdmittedReported = Math.Max(AdmittedReported, SentAdmitted);
            TokensReported = Math.Max(TokensReported, SentTokens);
        }

        if (WindowEnd != 0 && now >= WindowEnd)
        {
            Reset();
        }

        if (answer.Start == 0)
        {
            // Redis holds no window (it expired, or Redis restarted empty): the shared one known here is over.
            if (WindowStart != 0)
            {
                Reset();
            }

            return;
        }

        var end = SentAt + (answer.Start + windowMs - answer.Now) * frequency / 1000;
        if (end <= now || (WindowStart != 0 && answer.Start < WindowStart))
        {
            return;
        }

        if (answer.Start != WindowStart)
        {
            if (SentEpoch == Epoch)
            {
                // What this call reported is now in the new window's record under this epoch; a fresh epoch carries
                // only what it has not seen yet, so the next call cannot add the same counts to it again.
                Epoch++;
                (Admitted, AdmittedReported) = (Admitted - AdmittedReported, 0);
                (Tokens, TokensReported) = (Tokens - TokensReported, 0);
            }

            WindowStart = answer.Start;
            WindowEnd = end;
            Lease = 0;
        }
        else
        {
            WindowEnd = Math.Min(WindowEnd, end);
        }

        Lease += answer.Given;
        Counted = answer.Requests;
        TokensCounted = answer.Tokens;
    }

    /// <summary>Has counts Redis has not confirmed, or a token limit used here since the last call, whose shared figure
    /// (the other replicas' tokens) should be read again. A key idle here is not read: its first request after a quiet
    /// spell is admitted on the figure of its last call, and the next sync refreshes it.</summary>
    public bool NeedsSync(long now) =>
        WindowEnd != 0 && now < WindowEnd && (Admitted > AdmittedReported || Tokens > TokensReported || (Tpm is not null && LastUsed > SentAt));

    private void Reset()
    {
        // Counts not yet pushed belong to the window that ended: they expire with it.
        (WindowStart, WindowEnd, Lease, Counted, TokensCounted) = (0, 0, 0, 0, 0);
        Epoch++;
        (Admitted, AdmittedReported, Tokens, TokensReported) = (0, 0, 0, 0);
    }
}

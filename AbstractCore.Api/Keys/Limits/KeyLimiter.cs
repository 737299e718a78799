using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using AbstractCore.Storage;
using StackExchange.Redis;

namespace AbstractCore.Api.Keys.Limits;

/// <summary>
/// A virtual key's requests per minute, tokens per minute and parallel requests, shared across replicas through Redis
/// (<c>cache</c>) when it is set, per replica otherwise (<c>redis</c> null).
/// <para>
/// Requests per minute are exact across replicas with no Redis call on the request path while within limits: a
/// replica admits from a lease, a block of the window's requests it took from Redis (<see cref="LimitWindowScript"/>),
/// and fetches the next block in the background when the lease runs low. Only a request that finds the lease empty
/// waits for Redis (every waiter shares that one call), and only Redis's own count refuses one. A counter each replica
/// keeps locally and reconciles later would spare even those calls, but overshoots under a burst: every replica admits
/// the whole remainder before it hears of the others.
/// </para>
/// <para>
/// Redis unreachable (a call fails, or a waiting request hears nothing within <see cref="KeyLimitOptions.FetchWait"/>):
/// no request fails for it. Each replica enforces every key's whole limit on its own, says so once, and when Redis
/// answers again adds the requests it admitted and the tokens it counted meanwhile to the shared windows.
/// </para>
/// </summary>
internal sealed partial class KeyLimiter : IDisposable
{
    /// <summary>Keys per script of the sync: Redis runs a script alone, and a hundred keys hold it a fraction of a millisecond.</summary>
    private const int SyncChunk = 100;

    private readonly ConcurrentDictionary<string, KeyLimitState> _states = new(StringComparer.Ordinal);
    private readonly IConnectionMultiplexer? _redis;
    private readonly IDatabase? _db;
    private readonly TimeProvider _time;
    private readonly ILogger<KeyLimiter> _logger;
    private readonly KeyLimitOptions _options;
    private readonly long _windowTicks;
    private readonly long _windowMs;

    /// <summary>Names this replica's running totals in the window records.</summary>
    private readonly string _replica = Guid.NewGuid().ToString("N")[..12];

    private readonly CancellationTokenSource _stop = new();
    private int _away;

    public KeyLimiter(IConnectionMultiplexer? redis, TimeProvider time, ILogger<KeyLimiter> logger)
        : this(redis, time, logger, new KeyLimitOptions())
    {
    }

    internal KeyLimiter(IConnectionMultiplexer? redis, TimeProvider time, ILogger<KeyLimiter> logger, KeyLimitOptions options)
    {
        (_redis, _db, _time, _logger, _options) = (redis, redis?.GetDatabase(), time, logger, options);
        _windowTicks = (long)(options.Window.TotalSeconds * time.TimestampFrequency);
        _windowMs = (long)options.Window.TotalMilliseconds;
        _ = SyncLoopAsync(_stop.Token);
    }

    /// <summary>Keys with state on this replica (for tests: idle keys are dropped).</summary>
    internal int TrackedKeys => _states.Count;

    /// <summary>
    /// Decides one request. Synchronous (no allocation) unless this replica's lease is empty and Redis must be asked;
    /// then it waits at most <see cref="KeyLimitOptions.FetchWait"/>.
    /// </summary>
    public ValueTask<Admission> AdmitAsync(VirtualKey key, CancellationToken ct)
    {
        if (!key.HasLimits)
        {
            return new(Admission.Unlimited);
        }

        var call = TryAdmit(key, waited: null, out var state, out var admission);
        return call is null ? new(admission) : WaitAsync(key, state, call, ct);
    }

    /// <summary>The request ended: frees its parallel slot (only for an admitted request).</summary>
    public void Release(VirtualKey key) => End(key, 0);

    /// <summary>An admitted request ended, having used <paramref name="tokens"/>: its parallel slot freed and its tokens
    /// counted (<see cref="AddTokens"/>) under one lock, as the request path's last step.</summary>
    public void End(VirtualKey key, long tokens) => Count(key, tokens, freeSlot: key.MaxParallel is not null);

    /// <summary>The one place a request's end changes a key's state: a parallel slot freed, tokens counted, or both.</summary>
    private void Count(VirtualKey key, long tokens, bool freeSlot)
    {
        tokens = key.Tpm is null ? 0 : Math.Max(0, tokens);
        if (!freeSlot && tokens == 0)
        {
            return;
        }

        var now = _time.GetTimestamp();
        while (true)
        {
            var state = tokens > 0 ? StateOf(key.Id) : _states.GetValueOrDefault(key.Id);
            if (state is null)
            {
                return;
            }

            lock (state.Gate)
            {
                if (state.Evicted)
                {
                    continue;
                }

                if (freeSlot)
                {
                    state.Parallel = Math.Max(0, state.Parallel - 1);
                }

                state.LastUsed = now;
                if (tokens > 0)
                {
                    state.Touch(key, now);
                    state.Roll(now, _windowTicks);
                    state.Tokens += tokens;
                }

                return;
            }
        }
    }

    /// <summary>
    /// Counts the upstream's real usage toward the key's tokens per minute: here at once, in Redis with the next sync
    /// (batched). Tokens are known only after an answer, so replicas admit on a figure up to a sync old and together
    /// can pass the limit by what they used meanwhile: the token limit is not exact across replicas, and cannot be.
    /// </summary>
    public void AddTokens(VirtualKey key, long tokens) => Count(key, tokens, freeSlot: false);

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    private KeyLimitState StateOf(string id) =>
        _states.GetOrAdd(id, static (id, prefix) => new KeyLimitState(prefix + id), KeyLimitOptions.RedisPrefix);

    private async ValueTask<Admission> WaitAsync(VirtualKey key, KeyLimitState state, Task call, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                await call.WaitAsync(_options.FetchWait, _time, ct);
            }
            catch (TimeoutException)
            {
                // The call goes on (what it grants is kept); this request and those after it are decided locally.
                Away("lease fetch", string.Create(CultureInfo.InvariantCulture, $"no answer within {_options.FetchWait.TotalMilliseconds} ms"));
            }
            catch (OperationCanceledException)
            {
                lock (state.Gate)
                {
                    state.Waiting--;
                }

                throw;
            }

            if (TryAdmit(key, state, out state, out var admission) is not { } next)
            {
                return admission;
            }

            call = next;
        }
    }

    /// <summary>Decides under the key's lock; returns the Redis call to wait for when the lease is empty, else null.</summary>
    private Task? TryAdmit(VirtualKey key, KeyLimitState? waited, out KeyLimitState state, out Admission admission)
    {
        var now = _time.GetTimestamp();
        if (waited is not null)
        {
            lock (waited.Gate)
            {
                waited.Waiting--;
            }
        }

        while (true)
        {
            state = StateOf(key.Id);
            Task? wait = null;
            var (start, unreachable, refused) = (false, false, RateLimit.None);
            lock (state.Gate)
            {
                if (state.Evicted)
                {
                    continue;
                }

                state.Touch(key, now);
                state.Roll(now, _windowTicks);
                if (key.MaxParallel is { } max && state.Parallel >= max)
                {
                    refused = RateLimit.Parallel;
                }
                else if (key.Tpm is { } tpm && state.TokensUsed >= tpm)
                {
                    refused = RateLimit.Tokens;
                }
                else if (key.Rpm is { } rpm)
                {
                    if (state.Lease > 0)
                    {
                        state.Lease--;
                        var block = state.Block(rpm);

                        // Ahead of need: the next block is asked for while half of this one is left.
                        if (_db is not null && state.Call is null && Volatile.Read(ref _away) == 0 && state.Lease <= block / 2 && state.Counted < rpm)
                        {
                            state.BeginCall(block, rpm, now);
                            start = true;
                        }
                    }
                    else if (_db is null || Volatile.Read(ref _away) != 0 || (unreachable = !_redis!.IsConnected))
                    {
                        // Standalone, or Redis away: this replica enforces the whole limit on its own.
                        if (state.RequestsUsed >= rpm)
                        {
                            refused = RateLimit.Requests;
                        }
                        else
                        {
                            state.Admitted++;
                        }
                    }
                    else if (state.Counted >= rpm)
                    {
                        // Redis said the window is full: no call in flight could grant more.
                        refused = RateLimit.Requests;
                    }
                    else
                    {
                        if (state.Call is null)
                        {
                            state.BeginCall(Math.Min(rpm, Math.Max(state.Block(rpm), state.Waiting + 1)), rpm, now);
                            start = true;
                        }

                        state.Waiting++;
                        wait = state.Call;
                    }
                }

                if (wait is null)
                {
                    // Per replica: a count shared across replicas would cost a Redis round trip per request and per release.
                    if (refused == RateLimit.None && key.MaxParallel is not null)
                    {
                        state.Parallel++;
                    }

                    admission = Figures(key, state, now, refused);
                }
                else
                {
                    admission = default;
                }
            }

            if (unreachable)
            {
                Away("connection", "not connected");
            }

            if (start)
            {
                _ = RunCallsAsync([state], _db!);
            }

            return wait;
        }
    }

    private Admission Figures(VirtualKey key, KeyLimitState state, long now, RateLimit refused)
    {
        var reset = state.WindowEnd > now ? _time.GetElapsedTime(now, state.WindowEnd) : TimeSpan.Zero;
        return new(refused == RateLimit.None, refused, key.Name,
            key.Rpm, key.Rpm is { } rpm ? Math.Max(0, rpm - state.RequestsUsed + state.Lease) : 0, reset,
            key.Tpm, key.Tpm is { } tpm ? Math.Max(0, tpm - state.TokensUsed) : 0, reset,
            key.MaxParallel);
    }

    /// <summary>
    /// Runs the calls <see cref="KeyLimitState.BeginCall"/> reserved, one script for all of <paramref name="states"/> (on
    /// <paramref name="target"/>: the database, or a batch the caller executes), and takes in the answers. A failure
    /// leaves the counts unconfirmed: the next call carries them again, and Redis adds only what it has not seen.
    /// </summary>
    private async Task RunCallsAsync(KeyLimitState[] states, IDatabaseAsync target)
    {
        // Set under each key's lock by BeginCall, unchanged until EndCall.
        var keys = Array.ConvertAll(states, s => s.RedisKey);
        var calls = Array.ConvertAll(states, s => s.Sent(_replica));
        WindowAnswer[]? answers = null;
        try
        {
            answers = LimitWindowScript.Read(await target.ScriptEvaluateAsync(LimitWindowScript.Source, keys, LimitWindowScript.Arguments(_windowMs, calls)));
        }
        catch (Exception e) when (IsOutage(e))
        {
            Away("window update", StoreUnavailable.Describe(e));
        }
        finally
        {
            var now = _time.GetTimestamp();
            for (var i = 0; i < states.Length; i++)
            {
                TaskCompletionSource done;
                lock (states[i].Gate)
                {
                    if (answers is not null)
                    {
                        states[i].Apply(answers[i], now, _windowMs, _time.TimestampFrequency);
                    }

                    done = states[i].EndCall();
                }

                done.SetResult();
            }

            if (answers is not null)
            {
                Back();
            }
        }
    }

    private async Task SyncLoopAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(_options.SyncInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                await SyncOnceAsync();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Off the request path, every <see cref="KeyLimitOptions.SyncInterval"/>: pushes the tokens counted here and the
    /// requests admitted without a lease, reads the window of every key with a token limit (the other replicas'
    /// tokens), probes Redis while it is away, and drops keys idle for <see cref="KeyLimitOptions.IdleWindows"/>.
    /// </summary>
    [SuppressMessage("Design", "CA1031", Justification = "A bug in one sync must not end the loop: every later push and eviction would stop with it.")]
    internal async Task SyncOnceAsync()
    {
        try
        {
            if (_db is not null && await ReachableAsync(_db))
            {
                await PushAsync(_db);
            }

            Evict();
        }
        catch (Exception e)
        {
            LogSyncFailed(_logger, e);
        }
    }

    private async Task<bool> ReachableAsync(IDatabase db)
    {
        if (Volatile.Read(ref _away) == 0)
        {
            return true;
        }

        try
        {
            await db.PingAsync();
        }
        catch (Exception e) when (IsOutage(e))
        {
            return false;
        }

        Back();
        return true;
    }

    private async Task PushAsync(IDatabase db)
    {
        var now = _time.GetTimestamp();
        List<KeyLimitState> due = [];
        foreach (var (_, state) in _states)
        {
            lock (state.Gate)
            {
                if (state.Evicted || state.Call is not null || !state.NeedsSync(now))
                {
                    continue;
                }

                state.BeginCall(0, state.Rpm, now);
            }

            due.Add(state);
        }

        if (due.Count == 0)
        {
            return;
        }

        // One round trip: a script per SyncChunk keys, in one batch.
        var batch = db.CreateBatch();
        var calls = due.Chunk(SyncChunk).Select(chunk => RunCallsAsync(chunk, batch)).ToList();
        batch.Execute();
        await Task.WhenAll(calls);
    }

    private void Evict()
    {
        var now = _time.GetTimestamp();
        var idle = _options.IdleWindows * _windowTicks;
        foreach (var (id, state) in _states)
        {
            lock (state.Gate)
            {
                var quiet = now - state.LastUsed;

                // A request in flight keeps its key, though not forever: a slot whose release never comes (the key lost
                // its parallel limit meanwhile) must not pin it.
                if (quiet < idle || state.Call is not null || state.Waiting > 0 || (state.Parallel > 0 && quiet < 20 * idle))
                {
                    continue;
                }

                state.Evicted = true;
            }

            _states.TryRemove(KeyValuePair.Create(id, state));
        }
    }

    private static bool IsOutage(Exception e) => e is RedisException or TimeoutException or ObjectDisposedException;

    private void Away(string what, string reason)
    {
        if (Interlocked.Exchange(ref _away, 1) == 0)
        {
            LogAway(_logger, what, reason);
        }
    }

    private void Back()
    {
        if (Volatile.Read(ref _away) == 1 && Interlocked.Exchange(ref _away, 0) == 1)
        {
            LogBack(_logger);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis unreachable: rate limits are per replica until it returns ({What} failed: {Reason}). " +
        "Each replica enforces every key's whole RPM and TPM on its own meanwhile; no request fails for it")]
    private static partial void LogAway(ILogger logger, string what, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis answers again: rate limits are shared across replicas again; " +
        "the requests and tokens this replica counted meanwhile are added to the shared windows")]
    private static partial void LogBack(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Key limits: a sync with Redis failed unexpectedly; this is a gateway bug, please report it")]
    private static partial void LogSyncFailed(ILogger logger, Exception exception);
}

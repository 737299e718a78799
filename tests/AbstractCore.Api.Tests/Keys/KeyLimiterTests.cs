using System.Text.RegularExpressions;
using AbstractCore.Api.Hosting;
using AbstractCore.Api.Keys;
using AbstractCore.Api.Keys.Limits;
using AbstractCore.Api.Tests.Aliases;
using AbstractCore.Api.Tests.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace AbstractCore.Api.Tests.Keys;

/// <summary>
/// Per-key limits: exact requests per minute across two replicas sharing a real <c>redis-server</c> and on a standalone
/// replica, tokens per minute from reported usage (seen by the other replica after a sync), parallel requests, OpenAI's
/// headers and refusal, and a Redis killed mid-test: local limits meanwhile, one warning, and the counts made during
/// the outage added to Redis once when it returns.
/// </summary>
public sealed partial class KeyLimiterTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private static readonly KeyLimitOptions Shared = new()
    {
        SyncInterval = TimeSpan.FromMilliseconds(100),
        // Generous: on a loaded test machine a lease fetch may take longer than production's 250 ms, and a request
        // decided locally instead would make the exact counts below depend on the machine.
        FetchWait = TimeSpan.FromSeconds(2),
    };

    public Task InitializeAsync() => redis.RestartAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Two_replicas_sharing_redis_admit_exactly_the_limit_of_a_burst()
    {
        var log = new CapturingLoggerProvider();
        await using var first = await ConnectAsync();
        await using var second = await ConnectAsync();
        using var a = Limiter(first, log);
        using var b = Limiter(second, log);
        var key = Key(rpm: 100);

        var go = new TaskCompletionSource();
        var burst = Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            await go.Task;
            return await (i % 2 == 0 ? a : b).AdmitAsync(key, default);
        })).ToArray();
        go.SetResult();
        var admissions = await Task.WhenAll(burst);

        Assert.Equal(100, admissions.Count(x => x.Admitted));
        Assert.All(admissions.Where(x => !x.Admitted), x => Assert.Equal(RateLimit.Requests, x.Refused));
        Assert.Equal(100, (long)await first.GetDatabase().HashGetAsync(RedisKeyOf(key), "requests"));
        Assert.DoesNotContain(log.Entries, e => e.Level >= LogLevel.Warning); // decided by Redis's count, never locally
    }

    [Fact]
    public async Task Within_its_lease_a_replica_admits_without_calling_redis()
    {
        await using var connection = await ConnectAsync();
        using var limiter = Limiter(connection);
        var key = Key(rpm: 1000);
        var before = await ScriptCallsAsync();

        for (var i = 0; i < 300; i++)
        {
            Assert.True((await limiter.AdmitAsync(key, default)).Admitted);
        }

        // Blocks of a tenth of the limit: a handful of calls for 300 requests.
        Assert.InRange(await ScriptCallsAsync() - before, 1, 10);
    }

    [Fact]
    public async Task A_standalone_replica_admits_exactly_the_limit_of_a_burst()
    {
        using var limiter = new KeyLimiter(null, TimeProvider.System, NullLogger<KeyLimiter>.Instance);
        var key = Key(rpm: 100);

        var admissions = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(() => limiter.AdmitAsync(key, default).AsTask())));

        Assert.Equal(100, admissions.Count(x => x.Admitted));
    }

    [Fact]
    public async Task Admitting_allocates_nothing()
    {
        using var limiter = new KeyLimiter(null, TimeProvider.System, NullLogger<KeyLimiter>.Instance);
        var key = Key(rpm: 1_000_000, tpm: 1_000_000_000, parallel: 10);
        await limiter.AdmitAsync(key, default); // the key's state is made once
        limiter.Release(key);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var admitted = 0;
        for (var i = 0; i < 1000; i++)
        {
            // Decided synchronously: awaiting a completed ValueTask allocates nothing either.
            admitted += (await limiter.AdmitAsync(key, default)).Admitted ? 1 : 0;
            limiter.AddTokens(key, 10);
            limiter.Release(key);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(1000, admitted);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public async Task The_window_ends_a_minute_after_its_first_request()
    {
        var time = new ManualTime();
        using var limiter = new KeyLimiter(null, time, NullLogger<KeyLimiter>.Instance);
        var key = Key(rpm: 3);

        Assert.True((await limiter.AdmitAsync(key, default)).Admitted);
        time.Advance(TimeSpan.FromSeconds(20));
        Assert.True((await limiter.AdmitAsync(key, default)).Admitted);
        Assert.True((await limiter.AdmitAsync(key, default)).Admitted);
        time.Advance(TimeSpan.FromSeconds(39.9));
        var refused = await limiter.AdmitAsync(key, default);
        time.Advance(TimeSpan.FromSeconds(0.1));
        var next = await limiter.AdmitAsync(key, default);

        Assert.False(refused.Admitted);
        Assert.Equal("100ms", Header(refused, RateLimitHeaders.ResetRequests));
        Assert.True(next.Admitted);
        Assert.Equal(2, next.RemainingRequests);
    }

    [Fact]
    public async Task A_shared_window_ends_for_every_replica()
    {
        await using var first = await ConnectAsync();
        await using var second = await ConnectAsync();
        var options = Shared with { Window = TimeSpan.FromSeconds(1) };
        using var a = new KeyLimiter(first, TimeProvider.System, NullLogger<KeyLimiter>.Instance, options);
        using var b = new KeyLimiter(second, TimeProvider.System, NullLogger<KeyLimiter>.Instance, options);
        var key = Key(rpm: 2);

        Assert.True((await a.AdmitAsync(key, default)).Admitted);
        Assert.True((await a.AdmitAsync(key, default)).Admitted);
        Assert.Equal(RateLimit.Requests, (await b.AdmitAsync(key, default)).Refused);

        await Eventually.TrueAsync(async () => (await b.AdmitAsync(key, default)).Admitted, "the other replica to admit in the next window");
    }

    [Fact]
    public async Task Tokens_refuse_once_the_window_used_the_limit_and_the_other_replica_sees_them()
    {
        await using var first = await ConnectAsync();
        await using var second = await ConnectAsync();
        using var a = Limiter(first);
        using var b = Limiter(second);
        var key = Key(tpm: 1000);
        Assert.True((await b.AdmitAsync(key, default)).Admitted);

        Assert.True((await a.AdmitAsync(key, default)).Admitted);
        a.AddTokens(key, 600);
        var within = await a.AdmitAsync(key, default);
        a.AddTokens(key, 400);
        var over = await a.AdmitAsync(key, default);

        Assert.True(within.Admitted);
        Assert.Equal(400, within.RemainingTokens);
        Assert.Equal(RateLimit.Tokens, over.Refused); // at once, from this replica's own count
        Assert.Equal(0, over.RemainingTokens);
        await Eventually.TrueAsync(async () => (long)await first.GetDatabase().HashGetAsync(RedisKeyOf(key), "tokens") == 1000, "the tokens to reach Redis");
        await Eventually.TrueAsync(async () => (await b.AdmitAsync(key, default)).Refused == RateLimit.Tokens, "the other replica to refuse on tokens");
    }

    [Fact]
    public async Task Parallel_requests_over_the_limit_are_refused_until_one_ends()
    {
        using var limiter = new KeyLimiter(null, TimeProvider.System, NullLogger<KeyLimiter>.Instance);
        var key = Key(parallel: 2);

        Assert.True((await limiter.AdmitAsync(key, default)).Admitted);
        Assert.True((await limiter.AdmitAsync(key, default)).Admitted);
        var refused = await limiter.AdmitAsync(key, default);
        limiter.Release(key);
        var afterRelease = await limiter.AdmitAsync(key, default);

        Assert.Equal(RateLimit.Parallel, refused.Refused);
        Assert.Equal(1, refused.RetryAfterSeconds);
        Assert.Contains("parallel requests", refused.ToError().Message, StringComparison.Ordinal);
        Assert.True(afterRelease.Admitted);
    }

    [Fact]
    public async Task Headers_carry_the_limits_what_remains_and_when_it_resets()
    {
        var time = new ManualTime();
        using var limiter = new KeyLimiter(null, time, NullLogger<KeyLimiter>.Instance);
        var key = Key(rpm: 100, tpm: 1000);

        var first = await limiter.AdmitAsync(key, default);
        limiter.AddTokens(key, 250);
        time.Advance(TimeSpan.FromSeconds(59.88));
        var second = await limiter.AdmitAsync(key, default);

        Assert.Equal("100", Header(first, RateLimitHeaders.LimitRequests));
        Assert.Equal("99", Header(first, RateLimitHeaders.RemainingRequests));
        Assert.Equal("1m0s", Header(first, RateLimitHeaders.ResetRequests));
        Assert.Equal("1000", Header(first, RateLimitHeaders.LimitTokens));
        Assert.Equal("1000", Header(first, RateLimitHeaders.RemainingTokens));
        Assert.Equal("1m0s", Header(first, RateLimitHeaders.ResetTokens));
        Assert.Equal("98", Header(second, RateLimitHeaders.RemainingRequests));
        Assert.Equal("750", Header(second, RateLimitHeaders.RemainingTokens));
        Assert.Equal("120ms", Header(second, RateLimitHeaders.ResetRequests));
        Assert.Equal("120ms", Header(second, RateLimitHeaders.ResetTokens));
        Assert.Null(Header(await limiter.AdmitAsync(Key(parallel: 5), default), RateLimitHeaders.LimitRequests));
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(120, "120ms")]
    [InlineData(1000, "1s")]
    [InlineData(1500, "1.5s")]
    [InlineData(1005, "1.005s")]
    [InlineData(1050, "1.05s")]
    [InlineData(59_880, "59.88s")]
    [InlineData(90_000, "1m30s")]
    [InlineData(360_000, "6m0s")]
    [InlineData(7_200_000, "2h0m0s")]
    [InlineData(3_723_004, "1h2m3.004s")]
    public void Resets_are_in_openai_duration_form(int milliseconds, string expected) =>
        Assert.Equal(expected, RateLimitHeaders.Duration(TimeSpan.FromMilliseconds(milliseconds)));

    [Fact]
    public async Task A_refusal_is_a_429_naming_the_limit_and_the_key_never_its_secret()
    {
        var time = new ManualTime();
        using var limiter = new KeyLimiter(null, time, NullLogger<KeyLimiter>.Instance);
        var requests = Key(rpm: 1);
        var tokens = Key(tpm: 10);

        await limiter.AdmitAsync(requests, default);
        time.Advance(TimeSpan.FromSeconds(30.5));
        var byRequests = (await limiter.AdmitAsync(requests, default)).ToError();
        limiter.AddTokens(tokens, 10);
        var byTokens = (await limiter.AdmitAsync(tokens, default)).ToError();

        Assert.Equal(429, byRequests.Status);
        Assert.Equal("rate_limit_exceeded", byRequests.Code);
        Assert.Equal("requests", byRequests.Type);
        Assert.Contains("requests per minute", byRequests.Message, StringComparison.Ordinal);
        Assert.Contains("'billing-bot'", byRequests.Message, StringComparison.Ordinal);
        Assert.Equal("30", byRequests.Headers!["Retry-After"]);
        Assert.Equal("0", byRequests.Headers[RateLimitHeaders.RemainingRequests]);
        Assert.Equal("29.5s", byRequests.Headers[RateLimitHeaders.ResetRequests]);
        Assert.Equal("tokens", byTokens.Type);
        Assert.Contains("tokens per minute", byTokens.Message, StringComparison.Ordinal);
        Assert.Equal("60", byTokens.Headers!["Retry-After"]);
        foreach (var message in (string[])[byRequests.Message, byTokens.Message])
        {
            Assert.DoesNotContain(requests.Hash, message, StringComparison.Ordinal);
            Assert.DoesNotContain(requests.Hint!, message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Redis_killed_degrades_to_local_limits_and_the_outage_counts_reach_redis_once_it_returns()
    {
        var log = new CapturingLoggerProvider();
        var time = new ManualTime(); // no window ends during the test, however long Redis takes to come back
        await using var connection = await ConnectAsync();
        using var limiter = Limiter(connection, log, time);
        var warm = Key(rpm: 1000);
        for (var i = 0; i < 5; i++)
        {
            Assert.True((await limiter.AdmitAsync(warm, default)).Admitted);
        }

        await redis.KillAsync();
        await Eventually.TrueAsync(() => !connection.IsConnected, "the client to see Redis gone");
        var key = Key(rpm: 40, tpm: 100_000);
        var during = new List<Admission>();
        for (var i = 0; i < 50; i++)
        {
            during.Add(await limiter.AdmitAsync(key, default));
            Assert.True((await limiter.AdmitAsync(warm, default)).Admitted);
        }

        limiter.AddTokens(key, 500);

        Assert.Equal(40, during.Count(x => x.Admitted)); // the key's whole limit, on this replica alone
        Assert.All(during.Skip(40), x => Assert.Equal(RateLimit.Requests, x.Refused));
        var warning = Assert.Single(log.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("Redis unreachable: rate limits are per replica until it returns", warning.Line, StringComparison.Ordinal);

        await redis.RestartAsync();
        await Eventually.TrueAsync(() => log.Entries.Any(e => e.Level == LogLevel.Information && e.Line.Contains("Redis answers again", StringComparison.Ordinal)),
            "the limiter to hear Redis again");
        var db = connection.GetDatabase();
        await Eventually.TrueAsync(async () => (long)await db.HashGetAsync(RedisKeyOf(key), "requests") == 40, "the 40 requests admitted during the outage to reach Redis");
        Assert.Equal(500, (long)await db.HashGetAsync(RedisKeyOf(key), "tokens"));

        // Later syncs of the key add what is new only.
        limiter.AddTokens(key, 1);
        await Eventually.TrueAsync(async () => (long)await db.HashGetAsync(RedisKeyOf(key), "tokens") == 501, "a later token count to reach Redis");
        Assert.Equal(40, (long)await db.HashGetAsync(RedisKeyOf(key), "requests"));

        // Leases again: the shared window is full for this replica and any other.
        await using var other = await ConnectAsync();
        using var second = Limiter(other);
        Assert.Equal(RateLimit.Requests, (await second.AdmitAsync(key, default)).Refused);
        Assert.Equal(RateLimit.Requests, (await limiter.AdmitAsync(key, default)).Refused);
        Assert.True((await limiter.AdmitAsync(warm, default)).Admitted);
        Assert.Single(log.Entries, e => e.Level == LogLevel.Warning);
        Assert.Single(log.Entries, e => e.Level == LogLevel.Information);
    }

    [Fact]
    public async Task Running_totals_sent_again_are_counted_once()
    {
        await using var connection = await ConnectAsync();
        var db = connection.GetDatabase();
        RedisKey window = KeyLimitOptions.RedisPrefix + "vk_" + Guid.NewGuid().ToString("N");

        async Task<WindowAnswer> Send(long admitted, long tokens, int want = 0) => LimitWindowScript.Read(
            await db.ScriptEvaluateAsync(LimitWindowScript.Source, [window], LimitWindowScript.Arguments(60_000, new WindowCall(10, want, "replica:1", admitted, tokens))))[0];

        var nothing = await Send(0, 0);
        await Send(5, 100);
        await Send(5, 100); // a retry after a timeout whose first try ran
        var more = await Send(7, 150);
        var lease = await Send(7, 150, want: 5);

        Assert.Equal(0, nothing.Start); // nothing to count opens no window
        Assert.Equal(7, more.Requests);
        Assert.Equal(150, more.Tokens);
        Assert.Equal(3, lease.Given); // only what the window has left
        Assert.Equal(10, lease.Requests);
    }

    [Fact]
    public async Task Idle_keys_are_forgotten_and_keys_without_limits_leave_nothing()
    {
        var time = new ManualTime();
        using var limiter = new KeyLimiter(null, time, NullLogger<KeyLimiter>.Instance, Shared);
        var keys = Enumerable.Range(0, 100).Select(_ => Key(rpm: 10)).ToArray();
        foreach (var key in keys)
        {
            await limiter.AdmitAsync(key, default);
        }

        Assert.True((await limiter.AdmitAsync(Key(), default)).Admitted);
        Assert.Equal(100, limiter.TrackedKeys);

        time.Advance(TimeSpan.FromMinutes(4));
        await Eventually.TrueAsync(() => limiter.TrackedKeys == 0, "idle keys to be dropped");
        Assert.Equal(9, (await limiter.AdmitAsync(keys[0], default)).RemainingRequests); // a fresh window
    }

    private static VirtualKey Key(int? rpm = null, long? tpm = null, int? parallel = null) => new()
    {
        Id = "vk_" + Guid.NewGuid().ToString("N"),
        Name = "billing-bot",
        Rpm = rpm,
        Tpm = tpm,
        MaxParallel = parallel,
        Hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        Hint = "7f3a",
    };

    private static RedisKey RedisKeyOf(VirtualKey key) => KeyLimitOptions.RedisPrefix + key.Id;

    private static KeyLimiter Limiter(IConnectionMultiplexer connection, CapturingLoggerProvider? log = null, TimeProvider? time = null)
    {
        var logger = LoggerFactory.Create(b => b.AddProvider(log ?? new CapturingLoggerProvider())).CreateLogger<KeyLimiter>();
        return new KeyLimiter(connection, time ?? TimeProvider.System, logger, Shared);
    }

    /// <summary>A replica's own client, with the gateway's timeouts.</summary>
    private Task<ConnectionMultiplexer> ConnectAsync() => ConnectionMultiplexer.ConnectAsync(GatewayRedis.RequestPathDefaults + redis.ConnectionString);

    /// <summary>Script calls the server has run (EVAL and EVALSHA).</summary>
    private async Task<long> ScriptCallsAsync()
    {
        await using var admin = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true");
        var info = await admin.GetServer(redis.ConnectionString).InfoRawAsync("commandstats") ?? "";
        return ScriptStats().Matches(info).Sum(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"cmdstat_eval(?:sha)?:calls=(\d+)")]
    private static partial Regex ScriptStats();

    private static string? Header(Admission admission, string name)
    {
        var response = new DefaultHttpContext().Response;
        admission.WriteHeaders(response);
        return response.Headers.TryGetValue(name, out var value) ? value.ToString() : null;
    }

    /// <summary>A clock the test moves; its timers are real (only the limiter's windows follow it).</summary>
    private sealed class ManualTime : TimeProvider
    {
        private long _ticks = TimeSpan.TicksPerDay;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public override DateTimeOffset GetUtcNow() => DateTimeOffset.UnixEpoch.AddTicks(Interlocked.Read(ref _ticks));

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}

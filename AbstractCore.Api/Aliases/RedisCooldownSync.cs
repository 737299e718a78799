using System.Collections.Concurrent;
using System.Globalization;
using AbstractCore.Aliases;
using StackExchange.Redis;

namespace AbstractCore.Api.Aliases;

/// <summary>
/// The background half of <see cref="RedisCooldowns"/>: writes this replica's circuit changes to Redis as they come, and
/// every <see cref="RefreshSetting"/> (1 s by default) reads the remaining TTL of every deployment's key in one batch
/// into <see cref="DeploymentState.ShareCooldown"/>, so the request path only reads memory. Redis away: one warning,
/// the last view and each replica's own circuits still apply, failed writes are sent again once it answers.
/// </summary>
internal sealed partial class RedisCooldownSync(
    RedisCooldowns cooldowns, AliasRouter router, IServiceProvider services, IConfiguration configuration, ILogger<RedisCooldownSync> logger)
    : BackgroundService
{
    /// <summary>Milliseconds between two reads of the shared cooldowns (internal: tests shorten it).</summary>
    public const string RefreshSetting = "ABSTRACTCORE_COOLDOWN_REFRESH_MS";

    private readonly ConcurrentDictionary<string, DeploymentState> _unsent = new(StringComparer.Ordinal);
    private int _away;

    public TimeSpan RefreshInterval { get; } = TimeSpan.FromMilliseconds(
        int.TryParse(configuration[RefreshSetting], NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms >= 10 ? ms : 1000);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (router.ByKey.Count == 0)
        {
            return;
        }

        // Off the startup path: connecting waits up to connectTimeout when Redis is down.
        await Task.Yield();
        var redis = services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        await Task.WhenAll(WriteAsync(redis, stoppingToken), RefreshAsync(redis, stoppingToken));
    }

    private async Task WriteAsync(IDatabase redis, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var deployment in cooldowns.Changes.ReadAllAsync(stoppingToken))
            {
                var left = deployment.LocalCoolingLeft;
                try
                {
                    _ = left > TimeSpan.Zero
                        ? await redis.StringSetAsync(RedisCooldowns.RedisKey(deployment), "1", left)
                        : await redis.KeyDeleteAsync(RedisCooldowns.RedisKey(deployment));
                    _unsent.TryRemove(deployment.Key, out _);
                    Answered();
                }
                catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
                {
                    _unsent[deployment.Key] = deployment;
                    Away("write of a cooldown", e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task RefreshAsync(IDatabase redis, CancellationToken stoppingToken)
    {
        var deployments = router.Deployments.ToArray();
        var keys = deployments.Select(d => (RedisKey)RedisCooldowns.RedisKey(d)).ToArray();
        using var timer = new PeriodicTimer(RefreshInterval);
        try
        {
            do
            {
                await RefreshOnceAsync(redis, deployments, keys);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task RefreshOnceAsync(IDatabase redis, DeploymentState[] deployments, RedisKey[] keys)
    {
        // A batch of PTTLs rather than one script: one round trip either way, and a batch also works on a cluster, where
        // the keys live on different nodes.
        var batch = redis.CreateBatch();
        var reads = Array.ConvertAll(keys, k => batch.KeyTimeToLiveAsync(k));
        batch.Execute();
        try
        {
            await Task.WhenAll(reads);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            Away("refresh of the shared cooldowns", e);
            return;
        }

        for (var i = 0; i < deployments.Length; i++)
        {
            deployments[i].ShareCooldown(reads[i].Result ?? TimeSpan.Zero);
        }

        Answered();
        foreach (var unsent in _unsent.Values)
        {
            cooldowns.Retry(unsent);
        }
    }

    private void Away(string what, Exception e)
    {
        if (Interlocked.Exchange(ref _away, 1) == 0)
        {
            LogAway(logger, what, e.GetType().Name, e.Message);
        }
    }

    private void Answered()
    {
        if (Interlocked.Exchange(ref _away, 0) == 1)
        {
            LogBack(logger);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shared cooldowns: Redis did not answer the {What} ({Error}: {Reason}); " +
        "each replica's own cooldowns still apply, and requests are not affected, until it answers again")]
    private static partial void LogAway(ILogger logger, string what, string error, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shared cooldowns: Redis answers again; cooldowns are shared across replicas again")]
    private static partial void LogBack(ILogger logger);
}

using System.Text.Json;
using StackExchange.Redis;

namespace AbstractCore.Api.Keys;

/// <summary>
/// Keys shared by every replica: one Redis hash of id → key, one of secret hash → id, and a channel that tells the
/// other replicas a key changed (each then forgets what it remembered of keys).
/// </summary>
internal sealed class RedisKeyStore : IKeyStore
{
    private const string ById = "acore:keys";
    private const string ByHash = "acore:keys:by-hash";
    private static readonly RedisChannel ChangedChannel = RedisChannel.Literal("acore:keys:changed");

    private readonly IConnectionMultiplexer _redis;

    public RedisKeyStore(IConnectionMultiplexer redis)
    {
        _redis = redis;
        _ = ListenAsync();
    }

    public event Action? Changed;

    private IDatabase Db => _redis.GetDatabase();

    public async Task<IReadOnlyList<VirtualKey>> ListAsync(CancellationToken cancellationToken)
    {
        var entries = await Db.HashValuesAsync(ById);
        return [.. entries.Select(e => Parse(e)).OfType<VirtualKey>()];
    }

    public async Task<VirtualKey?> GetAsync(string id, CancellationToken cancellationToken) => Parse(await Db.HashGetAsync(ById, id));

    public async Task<VirtualKey?> FindByHashAsync(string hash, CancellationToken cancellationToken) =>
        await Db.HashGetAsync(ByHash, hash) is { HasValue: true } id ? await GetAsync(id!, cancellationToken) : null;

    public async Task SaveAsync(VirtualKey key, CancellationToken cancellationToken)
    {
        var transaction = Db.CreateTransaction();
        _ = transaction.HashSetAsync(ById, key.Id, JsonSerializer.SerializeToUtf8Bytes(key, KeysJsonContext.Default.VirtualKey));
        _ = transaction.HashSetAsync(ByHash, key.Hash, key.Id);
        await transaction.ExecuteAsync();
        await _redis.GetSubscriber().PublishAsync(ChangedChannel, key.Id);
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        if (await GetAsync(id, cancellationToken) is not { } key)
        {
            return false;
        }

        var transaction = Db.CreateTransaction();
        _ = transaction.HashDeleteAsync(ById, id);
        _ = transaction.HashDeleteAsync(ByHash, key.Hash);
        await transaction.ExecuteAsync();
        await _redis.GetSubscriber().PublishAsync(ChangedChannel, id);
        return true;
    }

    /// <summary>The client keeps the subscription and renews it when it reconnects; while Redis is away at start, the
    /// ring's periodic reload keeps the keys current instead. Never fails the gateway's start.</summary>
    private async Task ListenAsync()
    {
        try
        {
            await _redis.GetSubscriber().SubscribeAsync(ChangedChannel, (_, _) => Changed?.Invoke());
        }
        catch (RedisException)
        {
            // Redis is away: KeyRing reloads every few seconds until it answers.
        }
    }

    private static VirtualKey? Parse(RedisValue value) =>
        value.HasValue ? JsonSerializer.Deserialize((byte[])value!, KeysJsonContext.Default.VirtualKey) : null;
}

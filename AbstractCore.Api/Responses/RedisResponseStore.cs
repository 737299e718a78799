using System.Text.Json;
using AbstractCore.Responses;
using StackExchange.Redis;

namespace AbstractCore.Api.Responses;

/// <summary>
/// Stored responses in Redis, so any Api replica can continue any conversation. Each entry is one string key
/// with the TTL as its expiry: Redis forgets it, no sweeping here.
/// </summary>
internal sealed class RedisResponseStore(IConnectionMultiplexer redis, TimeSpan ttl) : IResponseStore
{
    private const string Prefix = "acore:response:";

    public async ValueTask SaveAsync(StoredResponse response, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(response, ResponsesStoreJsonContext.Default.StoredResponse);
        await redis.GetDatabase().StringSetAsync(Prefix + response.Response.Id, json, ttl);
    }

    public async ValueTask<StoredResponse?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var value = await redis.GetDatabase().StringGetAsync(Prefix + id);
        return value.IsNullOrEmpty ? null : JsonSerializer.Deserialize((byte[])value!, ResponsesStoreJsonContext.Default.StoredResponse);
    }

    public async ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken) =>
        await redis.GetDatabase().KeyDeleteAsync(Prefix + id);
}

using System.Text.Json.Nodes;
using AbstractCore.Capabilities;
using StackExchange.Redis;

namespace AbstractCore.Api.Capabilities;

/// <summary>Capability defaults in one Redis hash (field = route key, value = the stored entry), shared by every replica.</summary>
internal sealed class RedisCapabilityDefaultsStore(IConnectionMultiplexer redis) : ICapabilityDefaultsStore
{
    private static readonly RedisKey Key = "acore:capability-defaults";

    public string Source => "redis";

    public string? ConfigFile => null;

    public async Task<IReadOnlyList<CapabilityDefault>> ListAsync(CancellationToken cancellationToken)
    {
        var entries = await redis.GetDatabase().HashGetAllAsync(Key);
        return [.. entries.Select(e => CapabilityDefault.FromStored(e.Name!, JsonNode.Parse(e.Value.ToString())))
            .OfType<CapabilityDefault>().OrderBy(r => r.Key, StringComparer.Ordinal)];
    }

    public async Task<CapabilityDefault?> GetAsync(string key, CancellationToken cancellationToken)
    {
        var value = await redis.GetDatabase().HashGetAsync(Key, key);
        return value.IsNullOrEmpty ? null : CapabilityDefault.FromStored(key, JsonNode.Parse(value.ToString()));
    }

    public async Task SaveAsync(CapabilityDefault route, CancellationToken cancellationToken)
    {
        if (route.IsConfigured)
        {
            await redis.GetDatabase().HashSetAsync(Key, route.Key, route.ToStored().ToJsonString());
        }
        else
        {
            await redis.GetDatabase().HashDeleteAsync(Key, route.Key);
        }
    }

    public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken) =>
        await redis.GetDatabase().HashDeleteAsync(Key, key);
}

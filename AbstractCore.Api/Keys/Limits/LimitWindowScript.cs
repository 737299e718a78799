using StackExchange.Redis;

namespace AbstractCore.Api.Keys.Limits;

/// <summary>
/// The one Redis call of the key limits, atomic on the key's window record (a hash, <c>abstractcore:limits:{id}</c>):
/// it opens the window at its first use with Redis's <c>TIME</c> as the clock every replica shares, adds what a replica
/// counted on its own (requests admitted without a lease, tokens used), then grants a lease of up to <c>want</c>
/// requests out of what the window has left.
/// </summary>
internal static class LimitWindowScript
{
    // KEYS[1]: the window record. ARGV: window (ms), requests per window (-1: none), requests wanted, the replica's
    // field (replica:epoch), its running totals of requests admitted and tokens used without Redis.
    // The running totals, not increments, make a call repeated after a timeout (whose first try may have run) add
    // nothing twice. The window is anchored at its first request rather than at a clock minute, so a burst is not split
    // across two windows. A call with nothing to add opens no window.
    public const string Source = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local window = tonumber(ARGV[1])
        local limit = tonumber(ARGV[2])
        local want = tonumber(ARGV[3])
        local admitted = tonumber(ARGV[5])
        local used = tonumber(ARGV[6])
        local start = tonumber(redis.call('HGET', KEYS[1], 'start'))
        if start == nil or now - start >= window then
          if want == 0 and admitted == 0 and used == 0 then
            return {0, 0, 0, 0, now}
          end
          redis.call('DEL', KEYS[1])
          start = now
          redis.call('HSET', KEYS[1], 'start', start, 'requests', 0, 'tokens', 0)
        end
        local a = admitted - tonumber(redis.call('HGET', KEYS[1], 'a:' .. ARGV[4]) or '0')
        if a > 0 then
          redis.call('HSET', KEYS[1], 'a:' .. ARGV[4], admitted)
          redis.call('HINCRBY', KEYS[1], 'requests', a)
        end
        local u = used - tonumber(redis.call('HGET', KEYS[1], 't:' .. ARGV[4]) or '0')
        if u > 0 then
          redis.call('HSET', KEYS[1], 't:' .. ARGV[4], used)
          redis.call('HINCRBY', KEYS[1], 'tokens', u)
        end
        local requests = tonumber(redis.call('HGET', KEYS[1], 'requests'))
        local give = 0
        if want > 0 and limit >= 0 then
          give = math.max(0, math.min(want, limit - requests))
          if give > 0 then
            requests = redis.call('HINCRBY', KEYS[1], 'requests', give)
          end
        end
        redis.call('PEXPIRE', KEYS[1], start + 2 * window - now)
        return {give, requests, tonumber(redis.call('HGET', KEYS[1], 'tokens')), start, now}
        """;

    public static RedisValue[] Arguments(long windowMs, int? rpm, int want, string field, long admitted, long tokens) =>
        [windowMs, rpm ?? -1, want, field, admitted, tokens];

    public static WindowAnswer Read(RedisResult result)
    {
        var values = (RedisResult[])result!;
        return new((int)values[0], (long)values[1], (long)values[2], (long)values[3], (long)values[4]);
    }
}

/// <summary>
/// What Redis answered: the lease granted, the window's requests (leased or admitted) and tokens across replicas, its
/// start and Redis's time (ms). <see cref="Start"/> 0: Redis holds no open window.
/// </summary>
internal readonly record struct WindowAnswer(int Given, long Requests, long Tokens, long Start, long Now);

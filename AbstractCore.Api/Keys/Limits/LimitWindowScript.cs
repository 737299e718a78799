using StackExchange.Redis;

namespace AbstractCore.Api.Keys.Limits;

/// <summary>
/// The one Redis call of the key limits, atomic on the keys' window records (hashes, <c>abstractcore:limits:{id}</c>):
/// for each key it opens the window at its first use with Redis's <c>TIME</c> as the clock every replica shares, adds
/// what a replica counted on its own (requests admitted without a lease, tokens used), then grants a lease of up to
/// <c>want</c> requests out of what the window has left. A lease fetch sends one key; the background sync sends many
/// in one call, so a thousand active keys cost a few calls a second, not a thousand. The script names several keys:
/// one Redis, not a cluster, as for the spend ledger.
/// </summary>
internal static class LimitWindowScript
{
    /// <summary>ARGV per key, after ARGV[1] (the window, ms).</summary>
    private const int Stride = 5;

    // KEYS: the window records. ARGV[1]: window (ms); then per key: requests per window (-1: none), requests wanted, the
    // replica's field (replica:epoch), its running totals of requests admitted and tokens used without Redis.
    // The running totals, not increments, make a call repeated after a timeout (whose first try may have run) add
    // nothing twice. The window is anchored at its first request rather than at a clock minute, so a burst is not split
    // across two windows. A call with nothing to add opens no window.
    public static readonly string Source = $$"""
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local window = tonumber(ARGV[1])
        local function update(key, limit, want, field, admitted, used)
          local start = tonumber(redis.call('HGET', key, 'start'))
          if start == nil or now - start >= window then
            if want == 0 and admitted == 0 and used == 0 then
              return {0, 0, 0, 0, now}
            end
            redis.call('DEL', key)
            start = now
            redis.call('HSET', key, 'start', start, 'requests', 0, 'tokens', 0)
          end
          local a = admitted - tonumber(redis.call('HGET', key, 'a:' .. field) or '0')
          if a > 0 then
            redis.call('HSET', key, 'a:' .. field, admitted)
            redis.call('HINCRBY', key, 'requests', a)
          end
          local u = used - tonumber(redis.call('HGET', key, 't:' .. field) or '0')
          if u > 0 then
            redis.call('HSET', key, 't:' .. field, used)
            redis.call('HINCRBY', key, 'tokens', u)
          end
          local requests = tonumber(redis.call('HGET', key, 'requests'))
          local give = 0
          if want > 0 and limit >= 0 then
            give = math.max(0, math.min(want, limit - requests))
            if give > 0 then
              requests = redis.call('HINCRBY', key, 'requests', give)
            end
          end
          redis.call('PEXPIRE', key, start + 2 * window - now)
          return {give, requests, tonumber(redis.call('HGET', key, 'tokens')), start, now}
        end
        local answers = {}
        for k = 1, #KEYS do
          local a = 1 + (k - 1) * {{Stride}}
          answers[k] = update(KEYS[k], tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), ARGV[a + 3], tonumber(ARGV[a + 4]), tonumber(ARGV[a + 5]))
        end
        return answers
        """;

    public static RedisValue[] Arguments(long windowMs, params ReadOnlySpan<WindowCall> calls)
    {
        var values = new RedisValue[1 + calls.Length * Stride];
        values[0] = windowMs;
        for (var i = 0; i < calls.Length; i++)
        {
            var (rpm, want, field, admitted, tokens) = calls[i];
            (values[1 + i * Stride], values[2 + i * Stride], values[3 + i * Stride], values[4 + i * Stride], values[5 + i * Stride]) =
                (rpm ?? -1, want, field, admitted, tokens);
        }

        return values;
    }

    /// <summary>The answers, in the order of the keys sent.</summary>
    public static WindowAnswer[] Read(RedisResult result) => Array.ConvertAll((RedisResult[])result!, answer =>
    {
        var values = (RedisResult[])answer!;
        return new WindowAnswer((int)values[0], (long)values[1], (long)values[2], (long)values[3], (long)values[4]);
    });
}

/// <summary>What one key's part of the call carries: its requests per window (null: none), the requests wanted, the
/// replica's field and its running totals (see <see cref="LimitWindowScript"/>).</summary>
internal readonly record struct WindowCall(int? Rpm, int Want, string Field, long Admitted, long Tokens);

/// <summary>
/// What Redis answered: the lease granted, the window's requests (leased or admitted) and tokens across replicas, its
/// start and Redis's time (ms). <see cref="Start"/> 0: Redis holds no open window.
/// </summary>
internal readonly record struct WindowAnswer(int Given, long Requests, long Tokens, long Start, long Now);

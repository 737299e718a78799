namespace AbstractCore.Jobs;

/// <summary>
/// The job state machine as Lua, so each transition is one atomic step in Redis (no lock, no race between
/// replicas). KEYS[1] is the job hash, KEYS[2] the job's stored call.
/// </summary>
internal static class RedisJobScripts
{
    /// <summary>ARGV: owner, now (ms), lease end (ms), progress JSON, in-flight TTL (s). Returns {outcome, lease, attempt}.</summary>
    public const string Claim = """
        local s = redis.call('HGET', KEYS[1], 'state')
        if not s then return {'missing', 0, 0} end
        if s == 'succeeded' or s == 'failed' then return {'terminal', 0, 0} end
        local lease = tonumber(redis.call('HGET', KEYS[1], 'lease') or '0')
        if s == 'running' and redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] and lease > tonumber(ARGV[2]) then
          return {'busy', lease, 0}
        end
        local attempt = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
        redis.call('HSET', KEYS[1], 'state', 'running', 'owner', ARGV[1], 'lease', ARGV[3], 'updated', ARGV[2], 'progress', ARGV[4])
        redis.call('EXPIRE', KEYS[1], ARGV[5])
        redis.call('EXPIRE', KEYS[2], ARGV[5])
        return {'claimed', tonumber(ARGV[3]), attempt}
        """;

    /// <summary>ARGV: owner, lease end (ms). Returns 1 when renewed.</summary>
    public const string Renew = """
        if redis.call('HGET', KEYS[1], 'state') ~= 'running' or redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return 0 end
        redis.call('HSET', KEYS[1], 'lease', ARGV[2])
        return 1
        """;

    /// <summary>ARGV: owner, now (ms), result, progress JSON, TTL (s). Returns 1 when this owner finished the job.</summary>
    public static readonly string Succeed = $"""
        if redis.call('HGET', KEYS[1], 'state') ~= 'running' or redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return 0 end
        {Finish("'state', 'succeeded', 'result', ARGV[3], 'updated', ARGV[2], 'progress', ARGV[4]", ttlArg: 5)}
        """;

    /// <summary>ARGV: reason, now (ms), progress JSON, TTL (s). Returns 1 when the job became failed.</summary>
    public static readonly string Fail = $"""
        local s = redis.call('HGET', KEYS[1], 'state')
        if not s or s == 'succeeded' or s == 'failed' then return 0 end
        {Finish(FailedFields, ttlArg: 4)}
        """;

    /// <summary>Same ARGV as <see cref="Fail"/>. Returns 1 when the job was still queued and became failed (a queued
    /// job has no owner or lease, so dropping them changes nothing).</summary>
    public static readonly string Abandon = $"""
        if redis.call('HGET', KEYS[1], 'state') ~= 'queued' then return 0 end
        {Finish(FailedFields, ttlArg: 4)}
        """;

    /// <summary>Returns the hash (HGETALL) and deletes the job when it is terminal.</summary>
    public const string Consume = """
        local h = redis.call('HGETALL', KEYS[1])
        local s = redis.call('HGET', KEYS[1], 'state')
        if s == 'succeeded' or s == 'failed' then redis.call('DEL', KEYS[1], KEYS[2]) end
        return h
        """;

    /// <summary>Returns 1 when a succeeded job was not charged yet and now is. The state is checked first, so a job
    /// deleted meanwhile is not recreated by HSETNX.</summary>
    public const string ClaimCharge = """
        if redis.call('HGET', KEYS[1], 'state') ~= 'succeeded' then return 0 end
        return redis.call('HSETNX', KEYS[1], 'charged', '1')
        """;

    private const string FailedFields = "'state', 'failed', 'error', ARGV[1], 'updated', ARGV[2], 'progress', ARGV[3]";

    /// <summary>The move to a terminal state once the script's guard allows it: <paramref name="fields"/> (HSET pairs) set,
    /// owner and lease dropped, the hash kept for the TTL in <c>ARGV[ttlArg]</c>, the stored call deleted; returns 1.</summary>
    private static string Finish(string fields, int ttlArg) => $"""
        redis.call('HSET', KEYS[1], {fields})
        redis.call('HDEL', KEYS[1], 'owner', 'lease')
        redis.call('EXPIRE', KEYS[1], ARGV[{ttlArg}])
        redis.call('DEL', KEYS[2])
        return 1
        """;
}

using StackExchange.Redis;

namespace AbstractCore.Storage;

/// <summary>
/// The shared store (Redis: stored responses, job records, capability defaults) not answering within its timeouts.
/// A request that needs it gets 503 <c>store_unavailable</c> with <c>Retry-After</c>: the gateway is fine and an
/// upstream was not at fault, so neither a 500 nor a 502 would tell the client the truth.
/// </summary>
public static class StoreUnavailable
{
    public const string Code = "store_unavailable";

    /// <summary>Seconds a client should wait: the Redis client retries its connection about every second.</summary>
    private const string RetryAfterSeconds = "5";

    /// <summary>Connection lost or refused, or no answer in time; a Redis error reply (a bug) is not an outage.</summary>
    public static bool Is(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is RedisConnectionException or RedisTimeoutException)
            {
                return true;
            }
        }

        return false;
    }

    public static GatewayException Error() => new(503,
        "The gateway's store (Redis) is unavailable, so stored responses, jobs and capability defaults cannot be read or " +
        "written right now; try again shortly.", "service_unavailable", code: Code)
    {
        Headers = new Dictionary<string, string> { ["Retry-After"] = RetryAfterSeconds },
    };

    /// <summary>What went wrong, for the log: the client's first sentence (which names the endpoint or the timeout),
    /// not its dump of counters.</summary>
    public static string Describe(Exception exception)
    {
        var message = exception.Message;
        var end = message.IndexOfAny(['(', ';', '\n']);
        return (end > 0 ? message[..end] : message).Trim().TrimEnd(',', ':');
    }
}

using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace AbstractCore.Jobs;

/// <summary>How jobs are kept and run, from settings (environment variables included).</summary>
public sealed record JobSettings(
    TimeSpan Ttl,
    int Retries,
    TimeSpan RetryMin,
    TimeSpan RetryMax,
    int Concurrency,
    TimeSpan Lease,
    int MaxJobs,
    TimeSpan SendTimeout,
    TimeSpan UpstreamTimeout)
{
    public const string CacheConnectionName = "cache";
    public const string MessagingConnectionName = "messaging";
    public const string QueueName = "acore-media-jobs";

    /// <summary>How long an unfinished job is kept at most (a backlog must not expire while waiting).</summary>
    public static readonly TimeSpan InFlightTtl = TimeSpan.FromHours(24);

    /// <summary>What a 503 for an unavailable job queue asks clients to wait: a broker restart takes seconds.</summary>
    public static readonly TimeSpan QueueRetryAfter = TimeSpan.FromSeconds(10);

    public static JobSettings From(IConfiguration configuration) => new(
        TimeSpan.FromSeconds(Clamp(Number(configuration, "ABSTRACTCORE_VISION_JOBS_TTL_S", 600), 10, 86_400)),
        (int)Clamp(Number(configuration, "ABSTRACTCORE_JOBS_RETRIES", 4), 0, 20),
        TimeSpan.FromSeconds(Clamp(Number(configuration, "ABSTRACTCORE_JOBS_RETRY_MIN_S", 1), 0.01, 600)),
        TimeSpan.FromSeconds(Clamp(Number(configuration, "ABSTRACTCORE_JOBS_RETRY_MAX_S", 30), 0.01, 3600)),
        (int)Clamp(Number(configuration, "ABSTRACTCORE_JOBS_CONCURRENCY", 4), 1, 256),
        TimeSpan.FromSeconds(Clamp(Number(configuration, "ABSTRACTCORE_JOBS_LEASE_S", 30), 1, 3600)),
        (int)Clamp(Number(configuration, "ABSTRACTCORE_VISION_JOBS_MAX", 1000), 1, 1_000_000),
        TimeSpan.FromSeconds(Clamp(Number(configuration, "ABSTRACTCORE_JOBS_SEND_TIMEOUT_S", 5), 0.1, 120)),
        // The gateway's upstream deadline: a job's call is no longer bounded by its message, so it needs its own.
        TimeSpan.FromSeconds(Clamp(Number(configuration, "ABSTRACTCORE_UPSTREAM_TIMEOUT_S", 600), 1, 86_400)));

    public static bool HasRedis(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration.GetConnectionString(CacheConnectionName));

    public static string? RabbitMq(IConfiguration configuration) =>
        configuration.GetConnectionString(MessagingConnectionName) is { Length: > 0 } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    private static double Number(IConfiguration configuration, string name, double fallback) =>
        double.TryParse(configuration[name], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    private static double Clamp(double value, double min, double max) => Math.Min(Math.Max(value, min), max);
}

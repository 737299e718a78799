using System.Globalization;
using System.Text.Json;
using AbstractCore.Media;
using StackExchange.Redis;

namespace AbstractCore.Jobs;

/// <summary>
/// Jobs in Redis, shared by every Api replica and worker: one hash per job (<c>acore:job:{id}</c>) and its call
/// (<c>acore:job:{id}:call</c>). Unfinished jobs live up to <see cref="JobSettings.InFlightTtl"/>; a finished job
/// expires <see cref="JobSettings.Ttl"/> after it finished, and its call is deleted at once.
/// </summary>
internal sealed class RedisJobStore(IConnectionMultiplexer redis, JobSettings settings, TimeProvider time) : IJobStore
{
    private const string Prefix = "acore:job:";

    private IDatabase Db => redis.GetDatabase();

    private static RedisKey[] Keys(string id) => [Prefix + id, Prefix + id + ":call"];

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    public async Task CreateAsync(JobRecord job, MediaCall media, CancellationToken cancellationToken)
    {
        var keys = Keys(job.Id);
        var created = Now.ToString(CultureInfo.InvariantCulture);
        var transaction = Db.CreateTransaction();
        List<HashEntry> fields =
        [
            new("kind", job.Kind),
            new("state", job.State),
            new("created", created),
            new("updated", created),
            new("progress", Json(job.Progress)),
            new("attempts", 0),
        ];
        foreach (var (name, value) in (ReadOnlySpan<(string, string?)>)[("key", job.KeyId), ("provider", job.Provider), ("model", job.Model)])
        {
            if (value is not null)
            {
                fields.Add(new(name, value));
            }
        }

        _ = transaction.HashSetAsync(keys[0], [.. fields]);
        _ = transaction.KeyExpireAsync(keys[0], JobSettings.InFlightTtl);
        _ = transaction.StringSetAsync(keys[1], JsonSerializer.SerializeToUtf8Bytes(media, JobsJsonContext.Default.MediaCall), JobSettings.InFlightTtl);
        await transaction.ExecuteAsync();
    }

    public async Task<JobRecord?> GetAsync(string id, CancellationToken cancellationToken) =>
        Read(id, await Db.HashGetAllAsync(Keys(id)[0]));

    public async Task<MediaCall?> GetCallAsync(string id, CancellationToken cancellationToken)
    {
        var value = await Db.StringGetAsync(Keys(id)[1]);
        return value.IsNullOrEmpty ? null : JsonSerializer.Deserialize((byte[])value!, JobsJsonContext.Default.MediaCall);
    }

    public async Task<JobClaim> TryClaimAsync(string id, string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = Now;
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(RedisJobScripts.Claim, Keys(id),
            [owner, now, now + (long)lease.TotalMilliseconds, Json(JobProgress.Running), (long)JobSettings.InFlightTtl.TotalSeconds]))!;
        var leaseUntil = DateTimeOffset.FromUnixTimeMilliseconds((long)result[1]);
        return (string?)result[0] switch
        {
            "claimed" => new JobClaim(JobClaimOutcome.Claimed, leaseUntil, (int)result[2]),
            "busy" => new JobClaim(JobClaimOutcome.Busy, leaseUntil),
            "terminal" => new JobClaim(JobClaimOutcome.Terminal),
            _ => new JobClaim(JobClaimOutcome.Missing),
        };
    }

    public async Task<bool> RenewAsync(string id, string owner, TimeSpan lease, CancellationToken cancellationToken) =>
        (int)await Db.ScriptEvaluateAsync(RedisJobScripts.Renew, Keys(id), [owner, Now + (long)lease.TotalMilliseconds]) == 1;

    public async Task<bool> SucceedAsync(string id, string owner, byte[] result, CancellationToken cancellationToken) =>
        (int)await Db.ScriptEvaluateAsync(RedisJobScripts.Succeed, Keys(id),
            [owner, Now, result, Json(JobProgress.Succeeded), (long)settings.Ttl.TotalSeconds]) == 1;

    public Task<bool> FailAsync(string id, string reason, CancellationToken cancellationToken) => FailAsync(RedisJobScripts.Fail, id, reason);

    public Task<bool> AbandonAsync(string id, string reason, CancellationToken cancellationToken) => FailAsync(RedisJobScripts.Abandon, id, reason);

    private async Task<bool> FailAsync(string script, string id, string reason) =>
        (int)await Db.ScriptEvaluateAsync(script, Keys(id), [reason, Now, Json(JobProgress.Failed(reason)), (long)settings.Ttl.TotalSeconds]) == 1;

    public async Task<bool> ClaimChargeAsync(string id, CancellationToken cancellationToken) =>
        (int)await Db.ScriptEvaluateAsync(RedisJobScripts.ClaimCharge, Keys(id)) == 1;

    public async Task<JobRecord?> ConsumeAsync(string id, CancellationToken cancellationToken)
    {
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(RedisJobScripts.Consume, Keys(id)))!;
        var entries = new HashEntry[result.Length / 2];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = new HashEntry((string)result[2 * i]!, (RedisValue)result[2 * i + 1]);
        }

        return Read(id, entries);
    }

    private static JobRecord? Read(string id, HashEntry[] entries)
    {
        if (entries.Length == 0)
        {
            return null;
        }

        var fields = entries.ToDictionary(e => (string)e.Name!, e => e.Value, StringComparer.Ordinal);
        RedisValue Field(string name) => fields.GetValueOrDefault(name);
        var state = (string?)Field("state");
        if (state is null)
        {
            return null;
        }

        var progress = Field("progress");
        return new JobRecord
        {
            Id = id,
            Kind = (string?)Field("kind") ?? "",
            State = state,
            CreatedAt = (long)Field("created") / 1000.0,
            UpdatedAt = (long)Field("updated") / 1000.0,
            Progress = progress.IsNullOrEmpty
                ? JobProgress.Queued
                : JsonSerializer.Deserialize((byte[])progress!, JobsJsonContext.Default.JobProgress) ?? JobProgress.Queued,
            Result = Field("result") is { IsNullOrEmpty: false } r ? (byte[])r! : null,
            Error = (string?)Field("error"),
            Attempts = Field("attempts").TryParse(out int attempts) ? attempts : 0,
            KeyId = (string?)Field("key"),
            Provider = (string?)Field("provider"),
            Model = (string?)Field("model"),
            Charged = !Field("charged").IsNullOrEmpty,
        };
    }

    private static string Json(JobProgress progress) => JsonSerializer.Serialize(progress, JobsJsonContext.Default.JobProgress);
}

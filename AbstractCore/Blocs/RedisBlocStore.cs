using StackExchange.Redis;

namespace AbstractCore.Blocs;

/// <summary>
/// Blocs in Redis, shared by every Api replica: the records in one hash (sha256 → record), bloc ids both ways in two
/// hashes, the counter <c>acore:blocs:next_id</c>, each text once under <c>acore:blocs:content:{content_sha256}</c> with
/// the set of records using it. Upsert and delete are scripts, so a text is never dropped while a record gains it.
/// The scripts name the content keys themselves (they depend on the stored record): one Redis, not a cluster.
/// </summary>
internal sealed class RedisBlocStore(IConnectionMultiplexer redis) : IBlocStore
{
    private const string Prefix = "acore:blocs:";
    private static readonly RedisKey RecordsKey = Prefix + "records";
    private static readonly RedisKey IdBySha = Prefix + "id_by_sha";
    private static readonly RedisKey ShaById = Prefix + "sha_by_id";
    private static readonly RedisKey NextId = Prefix + "next_id";

    /// <summary>The id of a sha256, assigned on first sight.</summary>
    private const string AssignId = """
        local id = redis.call('HGET', KEYS[1], ARGV[1])
        if not id then
          id = redis.call('INCR', KEYS[3])
          redis.call('HSET', KEYS[1], ARGV[1], id)
          redis.call('HSET', KEYS[2], id, ARGV[1])
        end
        return tonumber(id)
        """;

    /// <summary>ARGV: sha256, bloc_id, record JSON, content sha256, text, key prefix. The text is written only when
    /// absent; the record's previous text is dropped when no record uses it any more.</summary>
    private const string Store = """
        local sha, id, json, csha, prefix = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[6]
        local old = redis.call('HGET', KEYS[1], sha)
        local oldsha = old and cjson.decode(old)['content_sha256']
        redis.call('SET', prefix .. 'content:' .. csha, ARGV[5], 'NX')
        redis.call('SADD', prefix .. 'refs:' .. csha, sha)
        redis.call('HSET', KEYS[1], sha, json)
        redis.call('HSET', KEYS[2], sha, id)
        redis.call('HSET', KEYS[3], id, sha)
        if oldsha and oldsha ~= csha then
          redis.call('SREM', prefix .. 'refs:' .. oldsha, sha)
          if redis.call('SCARD', prefix .. 'refs:' .. oldsha) == 0 then
            redis.call('DEL', prefix .. 'content:' .. oldsha)
          end
        end
        return 1
        """;

    /// <summary>ARGV: sha256, key prefix. 1 when a record was deleted.</summary>
    private const string Delete = """
        local sha, prefix = ARGV[1], ARGV[2]
        local old = redis.call('HGET', KEYS[1], sha)
        if not old then return 0 end
        local csha = cjson.decode(old)['content_sha256']
        local id = redis.call('HGET', KEYS[2], sha)
        redis.call('HDEL', KEYS[1], sha)
        redis.call('HDEL', KEYS[2], sha)
        if id then redis.call('HDEL', KEYS[3], id) end
        redis.call('SREM', prefix .. 'refs:' .. csha, sha)
        if redis.call('SCARD', prefix .. 'refs:' .. csha) == 0 then
          redis.call('DEL', prefix .. 'content:' .. csha)
        end
        return 1
        """;

    private IDatabase Db => redis.GetDatabase();

    public async Task<BlocRecord> UpsertAsync(BlocRecord record, string text, CancellationToken cancellationToken)
    {
        var id = (long)await Db.ScriptEvaluateAsync(AssignId, [IdBySha, ShaById, NextId], [record.Sha256]);
        var stored = record with { BlocId = id };
        await Db.ScriptEvaluateAsync(Store, [RecordsKey, IdBySha, ShaById],
            [stored.Sha256, id, stored.ToJson().ToJsonString(), stored.ContentSha256, text, Prefix]);
        return stored;
    }

    public async Task<IReadOnlyList<BlocRecord>> ListAsync(BlocSelector selector, CancellationToken cancellationToken)
    {
        if (!selector.IsEmpty)
        {
            return await GetAsync(selector, cancellationToken) is { } one ? [one] : [];
        }

        var entries = await Db.HashValuesAsync(RecordsKey);
        return [.. entries.Select(e => BlocRecord.FromJson(e.ToString())).OfType<BlocRecord>().OrderBy(r => r.BlocId)];
    }

    public async Task<BlocRecord?> GetAsync(BlocSelector selector, CancellationToken cancellationToken)
    {
        var sha = selector.Sha256;
        if (sha is null && selector.BlocId is { } id)
        {
            sha = await Db.HashGetAsync(ShaById, id);
        }

        if (sha is null)
        {
            return null;
        }

        var json = await Db.HashGetAsync(RecordsKey, sha);
        return json.IsNullOrEmpty ? null : BlocRecord.FromJson(json.ToString());
    }

    public async Task<string?> GetTextAsync(BlocRecord record, CancellationToken cancellationToken)
    {
        var text = await Db.StringGetAsync(Prefix + "content:" + record.ContentSha256);
        return text.IsNull ? null : text.ToString();
    }

    public async Task<bool> DeleteAsync(string sha256, CancellationToken cancellationToken) =>
        (long)await Db.ScriptEvaluateAsync(Delete, [RecordsKey, IdBySha, ShaById], [sha256, Prefix]) == 1;
}

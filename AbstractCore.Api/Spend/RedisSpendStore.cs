using System.Globalization;
using System.Text.Json;
using StackExchange.Redis;

namespace AbstractCore.Api.Spend;

/// <summary>
/// The ledger in Redis, shared by every replica. Rows: one hash per UTC day, <c>acore:spend:day:{yyyy-MM-dd}</c>, field
/// <c>{counter} {["key","provider","model"]}</c>, with the days in the sorted set <c>acore:spend:days</c> and the keys'
/// names in <c>acore:spend:names</c>. Budgets: per key <c>acore:spend:key:{id}:d:{day}</c>, <c>:w:{monday}</c>,
/// <c>:m:{yyyy-MM}</c> (expiring after their period) and <c>:total</c>, in nano-dollars. A batch is one script, applied
/// whole or not at all, and only once (see <see cref="SpendBatch"/>). The script names its keys itself: one Redis, not a
/// cluster, as for the blocs. The client is asked for at the first flush, off the startup path: connecting waits up to
/// its connect timeout when Redis is down.
/// </summary>
internal sealed class RedisSpendStore(Func<IConnectionMultiplexer> redis) : ISpendStore
{
    internal const string Prefix = "acore:spend:";

    /// <summary>How long Redis remembers a replica's last applied batch: far longer than any retry of it.</summary>
    private static readonly TimeSpan AppliedTtl = TimeSpan.FromDays(7);

    /// <summary>Seconds a day's, a week's, a month's total is kept after its last write: past its period, with room for a
    /// batch that arrives late (after an outage).</summary>
    private const int DayTtl = 3 * 86_400, WeekTtl = 15 * 86_400, MonthTtl = 63 * 86_400;

    /// <summary>Per row: day, day number, week's Monday, month, key id, key name, row id, then the counters.</summary>
    private const int RowHead = 7;

    /// <summary>ARGV: prefix, replica, sequence, TTL of the applied mark (s), then the rows. 1: applied; 0: applied before.</summary>
    private static readonly string Apply = $$"""
        local prefix, seq = ARGV[1], tonumber(ARGV[3])
        local applied = prefix .. 'applied:' .. ARGV[2]
        if seq <= tonumber(redis.call('GET', applied) or '0') then return 0 end
        redis.call('SET', applied, ARGV[3], 'EX', ARGV[4])
        local fields = { {{string.Join(", ", SpendCounts.Fields.Select(f => $"'{f}'"))}} }
        local ttl = { d = {{DayTtl}}, w = {{WeekTtl}}, m = {{MonthTtl}} }
        local stride = {{RowHead}} + #fields
        for i = 5, #ARGV - stride + 1, stride do
          local day, key, name, row = ARGV[i], ARGV[i + 4], ARGV[i + 5], ARGV[i + 6]
          redis.call('ZADD', prefix .. 'days', ARGV[i + 1], day)
          if name ~= '' then redis.call('HSET', prefix .. 'names', key, name) end
          for f = 1, #fields do
            local n = ARGV[i + {{RowHead - 1}} + f]
            if n ~= '0' then redis.call('HINCRBY', prefix .. 'day:' .. day, fields[f] .. ' ' .. row, n) end
          end
          local cost = ARGV[i + {{RowHead + SpendCounts.CostField}}]
          if cost ~= '0' then
            local k = prefix .. 'key:' .. key .. ':'
            for p, id in pairs({ d = day, w = ARGV[i + 2], m = ARGV[i + 3] }) do
              redis.call('INCRBY', k .. p .. ':' .. id, cost)
              redis.call('EXPIRE', k .. p .. ':' .. id, ttl[p])
            end
            redis.call('INCRBY', k .. 'total', cost)
          end
        end
        return 1
        """;

    private static readonly RedisKey DaysKey = Prefix + "days";
    private static readonly RedisKey NamesKey = Prefix + "names";

    public async Task<Dictionary<string, PeriodTotals>> ApplyAsync(SpendBatch? batch, IReadOnlyCollection<string> keyIds, DateOnly today,
        CancellationToken cancellationToken)
    {
        var ids = keyIds.ToArray();
        var db = redis().GetDatabase();

        // One round trip: the script, then the totals it has just added to, read on the same connection after it.
        var pipe = db.CreateBatch();
        var applied = batch is null ? null : pipe.ScriptEvaluateAsync(Apply, values: Arguments(batch));
        var totals = ids.Length == 0 ? null : pipe.StringGetAsync(TotalKeys(ids, today));
        pipe.Execute();
        await Task.WhenAll(((Task?[])[applied, totals]).OfType<Task>()).WaitAsync(cancellationToken);

        var values = totals is null ? [] : totals.Result;
        var result = new Dictionary<string, PeriodTotals>(ids.Length, StringComparer.Ordinal);
        for (var i = 0; i < ids.Length; i++)
        {
            result[ids[i]] = new PeriodTotals(today, Nanos(values[4 * i]), Nanos(values[4 * i + 1]), Nanos(values[4 * i + 2]), Nanos(values[4 * i + 3]));
        }

        return result;
    }

    public PeriodTotals? Peek(string keyId, DateOnly today) => null;

    public async Task<IReadOnlyList<KeyValuePair<SpendRowKey, SpendCounts>>> ReadAsync(DateOnly? from, DateOnly? to, CancellationToken cancellationToken)
    {
        var db = redis().GetDatabase();
        var days = await db.SortedSetRangeByScoreAsync(DaysKey, from?.DayNumber ?? double.NegativeInfinity, to?.DayNumber ?? double.PositiveInfinity)
            .WaitAsync(cancellationToken);
        var pipe = db.CreateBatch();
        var names = pipe.HashGetAllAsync(NamesKey);
        var hashes = Array.ConvertAll(days, d => pipe.HashGetAllAsync(Prefix + "day:" + d));
        pipe.Execute();
        await Task.WhenAll([names, .. hashes]).WaitAsync(cancellationToken);

        var nameOf = names.Result.ToDictionary(e => (string)e.Name!, e => (string?)e.Value, StringComparer.Ordinal);
        var rows = new Dictionary<SpendRowKey, SpendCounts>();
        for (var d = 0; d < days.Length; d++)
        {
            var day = DateOnly.ParseExact((string)days[d]!, "yyyy-MM-dd", CultureInfo.InvariantCulture);
            foreach (var entry in hashes[d].Result)
            {
                var field = (string)entry.Name!;
                var space = field.IndexOf(' ', StringComparison.Ordinal);
                var counter = space > 0 ? Array.IndexOf(SpendCounts.Fields, field[..space]) : -1;
                if (counter < 0 || JsonSerializer.Deserialize(field.AsSpan(space + 1), SpendJsonContext.Default.StringArray) is not [var keyId, var provider, var model])
                {
                    continue; // not a field this version writes
                }

                var key = new SpendRowKey(keyId, provider, model, day);
                if (!rows.TryGetValue(key, out var counts))
                {
                    rows[key] = counts = new SpendCounts { KeyName = nameOf.GetValueOrDefault(keyId) };
                }

                counts.Set(counter, (long)entry.Value);
            }
        }

        return [.. rows];
    }

    public Task PersistAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static RedisValue[] Arguments(SpendBatch batch)
    {
        var values = new List<RedisValue>(4 + batch.Rows.Count * (RowHead + SpendCounts.Fields.Length))
        {
            Prefix, batch.Replica, batch.Sequence, (long)AppliedTtl.TotalSeconds,
        };
        foreach (var (key, counts) in batch.Rows)
        {
            values.Add(Day(key.Day));
            values.Add(key.Day.DayNumber);
            values.Add(Day(SpendPeriods.Start(SpendPeriod.Weekly, key.Day)));
            values.Add(Month(key.Day));
            values.Add(key.KeyId);
            values.Add(counts.KeyName ?? "");
            values.Add(JsonSerializer.Serialize([key.KeyId, key.Provider, key.Model], SpendJsonContext.Default.StringArray));
            for (var i = 0; i < SpendCounts.Fields.Length; i++)
            {
                values.Add(counts.Get(i));
            }
        }

        return [.. values];
    }

    /// <summary>Each key's day, week, month and total figures, in that order; the period names formatted once for all.</summary>
    private static RedisKey[] TotalKeys(string[] ids, DateOnly today)
    {
        var (day, week, month) = (":d:" + Day(today), ":w:" + Day(SpendPeriods.Start(SpendPeriod.Weekly, today)), ":m:" + Month(today));
        var keys = new RedisKey[ids.Length * 4];
        for (var i = 0; i < ids.Length; i++)
        {
            var key = Prefix + "key:" + ids[i];
            (keys[4 * i], keys[4 * i + 1], keys[4 * i + 2], keys[4 * i + 3]) = (key + day, key + week, key + month, key + ":total");
        }

        return keys;
    }

    private static long Nanos(RedisValue value) => value.IsNull ? 0 : (long)value;

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Month(DateOnly day) => day.ToString("yyyy-MM", CultureInfo.InvariantCulture);
}

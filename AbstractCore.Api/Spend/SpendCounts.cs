namespace AbstractCore.Api.Spend;

/// <summary>
/// The sums of one ledger row. Money is counted in whole nano-dollars and audio in milliseconds, so every sum is an
/// exact integer in memory, in the file and in Redis (<c>HINCRBY</c>): adding the same entries in any order, on any
/// replica, gives the same total to the last digit.
/// </summary>
internal sealed class SpendCounts
{
    public const long NanosPerUsd = 1_000_000_000;

    /// <summary>The counters by index, as Redis stores them (<see cref="Get"/>, <see cref="Set"/>).</summary>
    public static readonly string[] Fields =
    [
        "requests", "cache_hits", "input_tokens", "output_tokens", "cached_input_tokens", "images", "audio_ms", "cost_nanos",
        "unpriced_requests", "estimated_requests",
    ];

    public const int CostField = 7;

    public long Requests { get; set; }

    public long CacheHits { get; set; }

    public long InputTokens { get; set; }

    public long OutputTokens { get; set; }

    public long CachedInputTokens { get; set; }

    public long Images { get; set; }

    public long AudioMs { get; set; }

    public long CostNanos { get; set; }

    /// <summary>Requests the price table had no entry for: their cost is missing from <see cref="CostNanos"/>.</summary>
    public long UnpricedRequests { get; set; }

    /// <summary>Streams the client abandoned, whose usage the gateway counted itself.</summary>
    public long EstimatedRequests { get; set; }

    /// <summary>The key's name as last seen (rows keep the latest, not one per rename).</summary>
    public string? KeyName { get; set; }

    public static long ToNanos(decimal usd) => (long)decimal.Round(usd * NanosPerUsd, MidpointRounding.AwayFromZero);

    public static decimal ToUsd(long nanos) => nanos / (decimal)NanosPerUsd;

    public void Add(SpendEntry entry)
    {
        var usage = entry.Priced.Usage;
        Requests++;
        CacheHits += entry.CacheHit ? 1 : 0;
        InputTokens += usage.InputTokens;
        OutputTokens += usage.OutputTokens;
        CachedInputTokens += usage.CachedInputTokens;
        Images += usage.Images;
        AudioMs += (long)Math.Round(usage.AudioSeconds * 1000, MidpointRounding.AwayFromZero);
        CostNanos += ToNanos(entry.Priced.CostUsd);
        UnpricedRequests += entry.Priced.Priced ? 0 : 1;
        EstimatedRequests += usage.Estimated ? 1 : 0;
        KeyName = entry.KeyName ?? KeyName;
    }

    public void Add(SpendCounts other)
    {
        for (var i = 0; i < Fields.Length; i++)
        {
            Set(i, Get(i) + other.Get(i));
        }

        KeyName = other.KeyName ?? KeyName;
    }

    public long Get(int field) => field switch
    {
        0 => Requests,
        1 => CacheHits,
        2 => InputTokens,
        3 => OutputTokens,
        4 => CachedInputTokens,
        5 => Images,
        6 => AudioMs,
        7 => CostNanos,
        8 => UnpricedRequests,
        9 => EstimatedRequests,
        _ => throw new ArgumentOutOfRangeException(nameof(field)),
    };

    public void Set(int field, long value)
    {
        switch (field)
        {
            case 0: Requests = value; break;
            case 1: CacheHits = value; break;
            case 2: InputTokens = value; break;
            case 3: OutputTokens = value; break;
            case 4: CachedInputTokens = value; break;
            case 5: Images = value; break;
            case 6: AudioMs = value; break;
            case 7: CostNanos = value; break;
            case 8: UnpricedRequests = value; break;
            case 9: EstimatedRequests = value; break;
            default: throw new ArgumentOutOfRangeException(nameof(field));
        }
    }
}

using AbstractCore.Spend;

namespace AbstractCore.Tests.Spend;

/// <summary>Which entry prices a request: alias, provider/model, bare model, then patterns most specific first.</summary>
public sealed class PriceTableTests
{
    private static readonly Usage OneMillionIn = new() { InputTokens = 1_000_000 };

    /// <summary>Each entry's input price is its own number, so the cost of a million input tokens says which entry priced it.</summary>
    private static PriceTable Table(params (string Key, decimal Input)[] entries) =>
        new(entries.ToDictionary(e => e.Key, e => new ModelPrice { InputPerMTok = e.Input }));

    private static decimal? InputPrice(PriceTable table, string provider, string model, string? alias = null) =>
        table.Price(provider, model, alias, OneMillionIn) is { Priced: true } priced ? priced.CostUsd : null;

    [Fact]
    public void A_priced_alias_prices_the_whole_alias()
    {
        var table = Table(("team/smart", 9m), ("openai/gpt-4o", 2m), ("gpt-4o", 1m));

        Assert.Equal(9m, InputPrice(table, "openai", "gpt-4o", alias: "team/smart"));
        Assert.Equal(2m, InputPrice(table, "openai", "gpt-4o", alias: "team/other"));
        Assert.Equal(2m, InputPrice(table, "openai", "gpt-4o"));
    }

    [Fact]
    public void Provider_and_model_come_before_the_bare_model()
    {
        var table = Table(("azure/gpt-4o", 3m), ("gpt-4o", 1m));

        Assert.Equal(3m, InputPrice(table, "azure", "gpt-4o"));
        Assert.Equal(1m, InputPrice(table, "openai", "gpt-4o"));
        Assert.Equal(1m, InputPrice(table, "openrouter", "gpt-4o"));
    }

    [Fact]
    public void An_openrouter_model_is_priced_as_it_is_then_by_its_last_segment()
    {
        var table = Table(("openai/gpt-4o-mini", 5m), ("gpt-4o", 1m));

        Assert.Equal(5m, InputPrice(table, "openrouter", "openai/gpt-4o-mini"));
        Assert.Equal(1m, InputPrice(table, "openrouter", "openai/gpt-4o"));
    }

    [Fact]
    public void An_exact_entry_comes_before_any_pattern()
    {
        var table = Table(("ollama/*", 0m), ("ollama/llama3", 4m), ("*", 7m));

        Assert.Equal(4m, InputPrice(table, "ollama", "llama3"));
        Assert.Equal(0m, InputPrice(table, "ollama", "qwen3:8b"));
        Assert.Equal(7m, InputPrice(table, "vllm", "qwen3"));
    }

    [Fact]
    public void The_most_specific_pattern_wins_whatever_the_order_of_the_entries()
    {
        var table = Table(("claude-*", 1m), ("claude-sonnet-4*", 3m), ("claude-sonnet-4-5*", 4m), ("anthropic/*", 2m));

        Assert.Equal(4m, InputPrice(table, "anthropic", "claude-sonnet-4-5-20250929"));
        Assert.Equal(3m, InputPrice(table, "anthropic", "claude-sonnet-4-20250514"));
        Assert.Equal(2m, InputPrice(table, "anthropic", "claude-3-opus-20240229"));
        Assert.Equal(1m, InputPrice(table, "openai-compatible", "claude-3-haiku"));
    }

    [Fact]
    public void Keys_and_names_are_compared_without_case()
    {
        var table = Table(("GPT-4o", 1m), ("Team/Smart", 9m), ("OLLAMA/*", 0m), ("openai/O3", 2m));

        Assert.Equal(1m, InputPrice(table, "openai", "gpt-4O"));
        Assert.Equal(9m, InputPrice(table, "openai", "x", alias: "team/SMART"));
        Assert.Equal(0m, InputPrice(table, "Ollama", "Llama3"));
        Assert.Equal(2m, InputPrice(table, "OpenAI", "o3"));
    }

    [Fact]
    public void A_model_no_entry_matches_is_unpriced_not_free()
    {
        var table = Table(("gpt-4o", 1m), ("ollama/*", 0m));

        var unpriced = table.Price("vllm", "qwen3", alias: null, OneMillionIn);
        var free = table.Price("ollama", "qwen3", alias: null, OneMillionIn);

        Assert.Equal((false, 0m), (unpriced.Priced, unpriced.CostUsd));
        Assert.Same(OneMillionIn, unpriced.Usage);
        Assert.Equal((true, 0m), (free.Priced, free.CostUsd));
        Assert.Null(table.Find("vllm", "qwen3", null));
    }

    [Fact]
    public void A_request_is_priced_on_all_its_usage()
    {
        var table = new PriceTable(new Dictionary<string, ModelPrice>
        {
            ["m"] = new() { InputPerMTok = 2m, CachedInputPerMTok = 0.5m, OutputPerMTok = 8m },
        });

        var priced = table.Price("openai", "m", null, new Usage { InputTokens = 3_000, CachedInputTokens = 1_000, OutputTokens = 500 });

        Assert.Equal((2_000 * 2m + 1_000 * 0.5m + 500 * 8m) / 1_000_000m, priced.CostUsd);
    }

    [Fact]
    public void Lookups_stay_right_past_the_cache_size()
    {
        var table = Table(("known", 1m), ("local/*", 0m));

        for (var i = 0; i < PriceTable.CacheSize + 10; i++)
        {
            Assert.Null(table.Find("vllm", $"model-{i}", null));
        }

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(1m, InputPrice(table, "openai", "known"));
            Assert.Equal(0m, InputPrice(table, "local", $"m{i}"));
        }
    }

    [Fact]
    public void A_repeated_lookup_allocates_nothing()
    {
        var table = Table(("claude-sonnet-4*", 3m), ("gpt-4o", 1m));
        var usage = new Usage { InputTokens = 10, OutputTokens = 5 };
        table.Price("anthropic", "claude-sonnet-4-20250514", "team/smart", usage);
        table.Price("openai", "gpt-4o", null, usage);
        table.Price("vllm", "unpriced", null, usage);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            table.Price("anthropic", "claude-sonnet-4-20250514", "team/smart", usage);
            table.Price("openai", "gpt-4o", null, usage);
            table.Price("vllm", "unpriced", null, usage);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}

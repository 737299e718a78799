using AbstractCore.Spend;
using Microsoft.Extensions.Configuration;

namespace AbstractCore.Tests.Spend;

/// <summary>The built-in list prices, overlaid by the operator's price file and the config file's <c>prices</c> section.</summary>
public sealed class PriceTableLoadTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("acore-prices-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly Usage Chat = new() { InputTokens = 1_000_000, CachedInputTokens = 200_000, OutputTokens = 500_000 };

    /// <summary>A configuration whose config file is in the test's folder (absent unless written), never the user's own.</summary>
    private IConfiguration Config(string? pricesFile = null, string? configFile = null, bool disableConfigFile = false)
    {
        var path = Path.Combine(_dir, "abstractcore.json");
        if (configFile is not null)
        {
            File.WriteAllText(path, configFile);
        }

        return new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_CONFIG_FILE"] = path,
            [PriceTable.FileSetting] = pricesFile is null ? null : Write("prices.json", pricesFile),
            ["ABSTRACTCORE_SERVER_DISABLE_CENTRALIZED_CONFIG"] = disableConfigFile ? "1" : null,
        }).Build();
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void The_defaults_price_common_models_at_their_list_prices()
    {
        var table = PriceTable.Load(Config());

        var mini = table.Price("openai", "gpt-4o-mini", null, Chat);
        Assert.True(mini.Priced);
        Assert.Equal((800_000 * 0.15m + 200_000 * 0.075m + 500_000 * 0.60m) / 1_000_000m, mini.CostUsd);
        Assert.Equal(mini.CostUsd, table.Price("openrouter", "openai/gpt-4o-mini", null, Chat).CostUsd);

        var sonnet = table.Price("anthropic", "claude-sonnet-4-20250514", null, Chat);
        Assert.True(sonnet.Priced);
        Assert.Equal((800_000 * 3m + 200_000 * 0.30m + 500_000 * 15m) / 1_000_000m, sonnet.CostUsd);
    }

    [Fact]
    public void The_defaults_tell_dated_claude_models_apart_and_price_local_ones_at_0()
    {
        var table = PriceTable.Defaults;

        Assert.Equal(15m, table.Find("anthropic", "claude-opus-4-1-20250805", null)!.InputPerMTok);
        Assert.Equal(5m, table.Find("anthropic", "claude-opus-4-5-20251101", null)!.InputPerMTok);
        Assert.Equal(1m, table.Find("anthropic", "claude-haiku-4-5-20251001", null)!.InputPerMTok);
        Assert.Equal(0.80m, table.Find("anthropic", "claude-3-5-haiku-20241022", null)!.InputPerMTok);
        Assert.Equal(ModelPrice.Free, table.Find("ollama", "llama3.1:8b", null));
        Assert.Equal(ModelPrice.Free, table.Find("onnx", "phi-4-mini", null));
        Assert.Equal(ModelPrice.Free, table.Find("lmstudio", "qwen/qwen3-8b", null));
        Assert.False(table.Price("vllm", "my-finetune", null, Chat).Priced);
    }

    [Fact]
    public void The_defaults_price_embeddings_images_and_audio()
    {
        var table = PriceTable.Defaults;

        Assert.Equal(0.02m, table.Price("openai", "text-embedding-3-small", null, new Usage { InputTokens = 1_000_000 }).CostUsd);
        Assert.Equal(0.08m, table.Price("openai", "dall-e-3", null, new Usage { Images = 2 }).CostUsd);
        Assert.Equal(0.006m, table.Price("openai", "whisper-1", null, new Usage { AudioSeconds = 60 }).CostUsd);
        Assert.Equal(0.03m, table.Price("openai", "tts-1-hd", null, new Usage { Characters = 1_000 }).CostUsd);
    }

    [Fact]
    public void The_operators_file_overrides_entries_and_keeps_the_other_defaults()
    {
        var table = PriceTable.Load(Config(pricesFile: """
            {"version": 1, "_note": "our negotiated rates",
             "models": {"GPT-4o-mini": {"input_per_mtok": 0.10, "output_per_mtok": 0.40}, "team/smart": {"input_per_mtok": 9}}}
            """));

        var mini = table.Find("openai", "gpt-4o-mini", null)!;
        Assert.Equal((0.10m, 0.40m, null), (mini.InputPerMTok, mini.OutputPerMTok, mini.CachedInputPerMTok));
        Assert.Equal(9m, table.Find("openai", "gpt-4o-mini", "team/smart")!.InputPerMTok);
        Assert.Equal(2.50m, table.Find("openai", "gpt-4o", null)!.InputPerMTok);
        Assert.Single(table.Entries, e => e.Key.Equals("gpt-4o-mini", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Defaults_false_leaves_only_the_operators_prices()
    {
        var table = PriceTable.Load(Config(pricesFile: """{"defaults": false, "models": {"vllm/*": {"input_per_mtok": 0.2}}}"""));

        Assert.Equal(["vllm/*"], table.Entries.Keys);
        Assert.False(table.Price("openai", "gpt-4o-mini", null, Chat).Priced);
        Assert.True(table.Price("vllm", "qwen3", null, Chat).Priced);
    }

    [Fact]
    public void The_config_files_prices_section_overlays_the_defaults_and_the_price_file_overlays_it()
    {
        var table = PriceTable.Load(Config(
            configFile: """{"api_keys": {}, "prices": {"models": {"gpt-4o": {"input_per_mtok": 2}, "gpt-5": {"input_per_mtok": 1}}}}""",
            pricesFile: """{"models": {"gpt-5": {"input_per_mtok": 0.5}}}"""));

        Assert.Equal(2m, table.Find("openai", "gpt-4o", null)!.InputPerMTok);
        Assert.Equal(0.5m, table.Find("openai", "gpt-5", null)!.InputPerMTok);
        Assert.Equal(0.15m, table.Find("openai", "gpt-4o-mini", null)!.InputPerMTok);
    }

    [Fact]
    public void Defaults_false_in_the_config_files_section_drops_the_defaults()
    {
        var table = PriceTable.Load(Config(configFile: """{"prices": {"defaults": false, "models": {"m": {}}}}"""));

        Assert.Equal(["m"], table.Entries.Keys);
    }

    [Fact]
    public void The_config_file_is_not_read_when_the_server_may_not_use_it()
    {
        var table = PriceTable.Load(Config(configFile: """{"prices": {"defaults": false, "models": {}}}""", disableConfigFile: true));

        Assert.True(table.Price("openai", "gpt-4o", null, Chat).Priced);
    }

    [Theory]
    [InlineData("{", "not valid JSON")]
    [InlineData("[]", "the top level must be a JSON object")]
    [InlineData("""{"version": 2, "models": {}}""", "version 2 is not supported")]
    [InlineData("""{"defaults": "no"}""", "defaults must be true or false")]
    [InlineData("""{"model": {}}""", "unknown field 'model': use version, defaults, models")]
    [InlineData("""{"models": []}""", "\"models\" must be an object")]
    [InlineData("""{"models": {"gpt-4o": 2.5}}""", "model 'gpt-4o' must be an object of prices")]
    [InlineData("""{"models": {"gpt-4o": {"input_per_mtoken": 2.5}}}""", "model 'gpt-4o' has an unknown field 'input_per_mtoken'")]
    [InlineData("""{"models": {"gpt-4o": {"input_per_mtok": -1}}}""", "model 'gpt-4o' has input_per_mtok -1")]
    [InlineData("""{"models": {"gpt-4o": {"output_per_mtok": "10"}}}""", "model 'gpt-4o' has output_per_mtok \"10\"")]
    [InlineData("""{"models": {"gpt-4o": {}, "GPT-4O": {}}}""", "model 'GPT-4O' is priced twice")]
    [InlineData("""{"models": {" ": {}}}""", "a model has an empty name")]
    public void A_bad_price_file_is_refused_naming_the_file_and_the_fault(string json, string expected)
    {
        var configuration = Config(pricesFile: json);

        var e = Assert.Throws<FormatException>(() => PriceTable.Load(configuration));

        Assert.Contains(configuration[PriceTable.FileSetting]!, e.Message, StringComparison.Ordinal);
        Assert.Contains(PriceTable.FileSetting, e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_prices_section_is_refused_naming_the_config_file()
    {
        var e = Assert.Throws<FormatException>(() => PriceTable.Load(Config(configFile: """{"prices": {"models": {"m": {"per_image": -2}}}}""")));

        Assert.Contains(Path.Combine(_dir, "abstractcore.json"), e.Message, StringComparison.Ordinal);
        Assert.Contains("section \"prices\"", e.Message, StringComparison.Ordinal);
        Assert.Contains("model 'm' has per_image -2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_price_file_is_a_startup_error_naming_it()
    {
        var missing = Path.Combine(_dir, "nope.json");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_CONFIG_FILE"] = Path.Combine(_dir, "abstractcore.json"),
            [PriceTable.FileSetting] = missing,
        }).Build();

        var e = Assert.Throws<IOException>(() => PriceTable.Load(configuration));

        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
        Assert.Contains("cannot be read", e.Message, StringComparison.Ordinal);
    }
}

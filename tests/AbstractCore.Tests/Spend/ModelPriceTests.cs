using AbstractCore.Spend;

namespace AbstractCore.Tests.Spend;

/// <summary>The cost arithmetic of one price entry, in decimal: tokens per million, images, seconds, characters.</summary>
public sealed class ModelPriceTests
{
    private static readonly ModelPrice Chat = new() { InputPerMTok = 2.50m, CachedInputPerMTok = 1.25m, OutputPerMTok = 10m };

    [Fact]
    public void Cached_tokens_are_taken_out_of_the_input_and_priced_at_the_cached_rate()
    {
        var cost = Chat.Cost(new Usage { InputTokens = 1_000_000, CachedInputTokens = 400_000, OutputTokens = 100_000 });

        Assert.Equal((600_000 * 2.50m / 1_000_000) + (400_000 * 1.25m / 1_000_000) + (100_000 * 10m / 1_000_000), cost);
        Assert.Equal(3.00m, cost);
    }

    [Fact]
    public void Without_a_cached_price_cached_tokens_cost_the_input_price()
    {
        var price = Chat with { CachedInputPerMTok = null };

        Assert.Equal(2.50m, price.Cost(new Usage { InputTokens = 1_000_000, CachedInputTokens = 400_000 }));
    }

    [Fact]
    public void More_cached_than_input_tokens_count_as_all_cached()
    {
        Assert.Equal(1.25m, Chat.Cost(new Usage { InputTokens = 1_000_000, CachedInputTokens = 3_000_000 }));
    }

    [Fact]
    public void Images_seconds_and_characters_have_their_own_prices()
    {
        var price = new ModelPrice { PerImage = 0.04m, PerAudioSecond = 0.0001m, PerMChar = 15m };

        Assert.Equal(0.12m, price.Cost(new Usage { Images = 3 }));
        Assert.Equal(0.006m, price.Cost(new Usage { AudioSeconds = 60 }));
        Assert.Equal(0.0015m, price.Cost(new Usage { Characters = 100 }));
        Assert.Equal(0.12m + 0.006m + 0.0015m, price.Cost(new Usage { Images = 3, AudioSeconds = 60, Characters = 100 }));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(-5)]
    public void Audio_seconds_that_are_no_duration_cost_nothing(double seconds)
    {
        Assert.Equal(0m, new ModelPrice { PerAudioSecond = 1m }.Cost(new Usage { AudioSeconds = seconds }));
    }

    [Fact]
    public void A_free_entry_costs_nothing_whatever_the_usage()
    {
        Assert.Equal(0m, ModelPrice.Free.Cost(new Usage { InputTokens = 10_000_000, OutputTokens = 1_000, Images = 2, AudioSeconds = 30, Characters = 5 }));
    }
}

using AbstractCore.Spend;

namespace AbstractCore.Tests.Spend;

/// <summary>Price keys with <c>*</c> wildcards: what they match, and which of several wins.</summary>
public sealed class PricePatternTests
{
    [Theory]
    [InlineData("ollama/*", "ollama/llama3.1:8b", true)]
    [InlineData("ollama/*", "OLLAMA/Qwen3", true)]
    [InlineData("ollama/*", "lmstudio/llama3", false)]
    [InlineData("claude-sonnet-4*", "claude-sonnet-4-20250514", true)]
    [InlineData("claude-sonnet-4*", "claude-sonnet-4", true)]
    [InlineData("claude-sonnet-4*", "claude-3-7-sonnet", false)]
    [InlineData("*-mini", "o4-mini", true)]
    [InlineData("*-mini", "o4-mini-2025", false)]
    [InlineData("gpt-*-mini*", "gpt-4.1-mini-2025-04-14", true)]
    [InlineData("gpt-*-mini*", "gpt-4.1-nano", false)]
    [InlineData("ab*b", "ab", false)]
    [InlineData("a*b*c", "a-c-b", false)]
    [InlineData("a*b*c", "axbyc", true)]
    [InlineData("*", "anything/at/all", true)]
    public void A_pattern_matches_without_case(string pattern, string text, bool matches)
    {
        Assert.Equal(matches, new PricePattern(pattern, ModelPrice.Free).Matches(text));
    }

    [Fact]
    public void More_literal_characters_then_fewer_wildcards_come_first()
    {
        PricePattern[] patterns = [new("*", ModelPrice.Free), new("claude-*", ModelPrice.Free), new("claude-sonnet-4-5*", ModelPrice.Free),
            new("claude-sonnet-4*", ModelPrice.Free), new("*claude-sonnet-4*", ModelPrice.Free)];

        Array.Sort(patterns, PricePattern.MostSpecificFirst);

        Assert.Equal(["claude-sonnet-4-5*", "claude-sonnet-4*", "*claude-sonnet-4*", "claude-*", "*"], patterns.Select(p => p.Pattern));
    }
}

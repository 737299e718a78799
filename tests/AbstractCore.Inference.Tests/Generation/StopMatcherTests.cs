using AbstractCore.Inference.Generation;

namespace AbstractCore.Inference.Tests.Generation;

public sealed class StopMatcherTests
{
    [Fact]
    public void Text_that_may_start_a_stop_sequence_is_held_back_until_decided()
    {
        var matcher = new StopMatcher(["END"]);

        Assert.Equal("ab", matcher.Push("ab"));
        Assert.Equal("", matcher.Push("E"));
        Assert.Equal("", matcher.Push("N"));
        Assert.Equal("ENx", matcher.Push("x"));
        Assert.Equal("", matcher.Push("EN"));
        Assert.Equal("", matcher.Push("D and more"));
        Assert.True(matcher.Stopped);
    }

    [Fact]
    public void The_earliest_of_several_stop_sequences_wins_and_the_rest_is_flushed_at_the_end()
    {
        var matcher = new StopMatcher(["zz", "yx"]);
        Assert.Equal("abc", matcher.Push("abcyxzz"));
        Assert.True(matcher.Stopped);

        var open = new StopMatcher(["zz"]);
        Assert.Equal("ab", open.Push("abz"));
        Assert.Equal("z", open.Flush());
    }

    [Fact]
    public void Without_stop_sequences_every_piece_passes_at_once()
    {
        var matcher = new StopMatcher([]);
        Assert.Equal("E", matcher.Push("E"));
        Assert.Equal("", matcher.Flush());
    }
}

using AbstractCore.Blocs;

namespace AbstractCore.Tests.Blocs;

/// <summary>The selector rules of spec 9.3 and the record's stored form.</summary>
public sealed class BlocSelectorTests
{
    private static readonly string Sha = new('a', 64);

    [Theory]
    [InlineData("  ABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB \n", "abababababababababababababababababababababababababababababababab")]
    [InlineData("abc", null)]
    [InlineData("../../../../etc/passwdaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", null)]
    [InlineData(null, null)]
    public void A_sha256_is_trimmed_lower_cased_and_only_ever_64_hex_digits(string? raw, string? expected) =>
        Assert.Equal(expected, BlocSelector.NormalizeSha256(raw));

    [Theory]
    [InlineData("7", 7L)]
    [InlineData(" 12 ", 12L)]
    [InlineData("0", null)]
    [InlineData("-1", null)]
    [InlineData("1.5", null)]
    [InlineData("x", null)]
    public void A_bloc_id_is_a_positive_integer(string raw, long? expected) =>
        Assert.Equal(expected, BlocSelector.ParseBlocId(raw));

    [Fact]
    public void The_sha256_wins_over_the_bloc_id()
    {
        var record = new BlocRecord { Sha256 = Sha, BlocId = 3, Path = "a.md", ContentSha256 = Sha };

        Assert.True(new BlocSelector(Sha, null).Matches(record));
        Assert.False(new BlocSelector(new string('b', 64), null).Matches(record));
        Assert.True(new BlocSelector(null, 3).Matches(record));
        Assert.True(new BlocSelector(null, null).Matches(record));
    }

    [Fact]
    public void A_record_reads_back_what_it_wrote()
    {
        var record = new BlocRecord
        {
            Sha256 = Sha, BlocId = 9, Path = "docs/a.md", MediaType = "text", SizeBytes = 12, MtimeNs = 1_764_000_000_000_000_001,
            Format = "markdown", EstimatedTokens = 4, RelpathBase = "/srv", Summary = "s", Keywords = ["x", "y"], ContentSha256 = Sha,
        };

        var back = BlocRecord.FromJson(record.ToJson().ToJsonString());

        Assert.Equal(record.ToJson().ToJsonString(), back!.ToJson().ToJsonString());
        Assert.Null(BlocRecord.FromJson("{\"sha256\":"));
        Assert.Null(BlocRecord.FromJson("[]"));
    }
}

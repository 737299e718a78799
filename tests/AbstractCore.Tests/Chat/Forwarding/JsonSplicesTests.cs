using System.Buffers;
using System.Text;
using AbstractCore.Chat.Forwarding;

namespace AbstractCore.Tests.Chat.Forwarding;

/// <summary>Edits applied in one copy, whatever order they were found in and however many there are.</summary>
public sealed class JsonSplicesTests
{
    private static readonly byte[] Source = Encoding.UTF8.GetBytes("""{"a":1,"b":2,"c":3}""");

    [Fact]
    public void Edits_added_out_of_order_are_applied_in_text_order()
    {
        var splices = new JsonSplices();
        splices.Replace(17, 1, Bytes("30")); // c's value
        splices.Insert(18, Bytes(""","d":4"""));
        splices.Replace(5, 1, Bytes("10")); // a's value
        splices.Remove(6, 6); // ,"b":2

        Assert.Equal("""{"a":10,"c":30,"d":4}""", Applied(ref splices));
    }

    [Fact]
    public void More_edits_than_inline_slots_spill_and_insertions_at_one_point_keep_their_order()
    {
        var splices = new JsonSplices();
        for (var i = 9; i >= 0; i--)
        {
            splices.Insert(i == 0 ? 0 : 1, Bytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture))); // 9 at 1 first, 0 at 0 last
        }

        splices.Insert(18, Bytes("x"));
        splices.Insert(18, Bytes("y"));
        splices.Replace(11, 1, Bytes("\"two\"")); // b's value

        Assert.Equal("""0{987654321"a":1,"b":"two","c":3xy}""", Applied(ref splices));
    }

    [Fact]
    public void No_edits_copy_the_text_as_it_came()
    {
        var splices = new JsonSplices();

        Assert.False(splices.Any);
        Assert.Equal(Encoding.UTF8.GetString(Source), Applied(ref splices));
    }

    [Theory]
    [InlineData(10)] // one write
    [InlineData(10_000)] // piece by piece
    public void A_text_is_written_between_what_goes_before_and_after_it(int padding)
    {
        var source = Encoding.UTF8.GetBytes($$"""{"pad":"{{new string('x', padding)}}","model":"m"}""");
        var splices = new JsonSplices();
        var model = source.AsSpan().IndexOf("\"m\""u8);
        splices.Replace(model, 3, Bytes("\"client/m\""));
        var written = new ArrayBufferWriter<byte>();

        splices.WriteTo(source, written, "data: "u8, "\n\n"u8);

        Assert.Equal($$"""data: {"pad":"{{new string('x', padding)}}","model":"client/m"}""" + "\n\n", Encoding.UTF8.GetString(written.WrittenSpan));
        Assert.Equal(source.Length + 7, splices.LengthAfter(source.Length));
    }

    /// <summary>Both ways of applying, which must agree.</summary>
    private static string Applied(ref JsonSplices splices)
    {
        var written = new ArrayBufferWriter<byte>();
        splices.WriteTo(Source, written);
        var applied = splices.Apply(Source);
        Assert.Equal(applied, written.WrittenSpan.ToArray());
        return Encoding.UTF8.GetString(applied);
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}

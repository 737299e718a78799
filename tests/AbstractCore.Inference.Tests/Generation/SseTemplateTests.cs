using System.IO.Pipelines;
using System.Text;
using AbstractCore.OpenAI.Chat;
using AbstractCore.OpenAI.Json;
using AbstractCore.OpenAI.Sse;

namespace AbstractCore.Inference.Tests.Generation;

/// <summary>A streamed token's chunk written from the per-stream template is byte for byte the chunk the serializer writes.</summary>
public sealed class SseTemplateTests
{
    private static ChatCompletionChunk Chunk(string content) => new()
    {
        Id = "chatcmpl-1", Created = 1700000000, Model = "tiny",
        Choices = [new ChunkChoice { Index = 0, Delta = new ChunkDelta { Content = content } }],
    };

    [Theory]
    [InlineData("a")]
    [InlineData(" \"quoted\" \\ back")]
    [InlineData("line\nbreak\ttab\r")]
    [InlineData("<b>&amp;</b> '")]
    [InlineData("héllo 日本 🙂")]
    [InlineData("\u0001\u001f")]
    [InlineData("")]
    public async Task A_templated_chunk_equals_the_serialized_chunk(string piece)
    {
        var template = SseTemplate.For(Chunk("marker-1"), OpenAIJsonContext.Wire.ChatCompletionChunk, "marker-1");

        Assert.Equal(await WrittenAsync(sse => sse.Write(Chunk(piece), OpenAIJsonContext.Wire.ChatCompletionChunk)),
            await WrittenAsync(sse => sse.Write(template, piece)));
    }

    [Fact]
    public void A_marker_that_is_not_exactly_one_value_is_refused()
    {
        var twice = new ChatCompletionChunk
        {
            Id = "m", Created = 1, Model = "m",
            Choices = [new ChunkChoice { Index = 0, Delta = new ChunkDelta { Content = "m" } }],
        };

        Assert.Throws<ArgumentException>(() => SseTemplate.For(twice, OpenAIJsonContext.Wire.ChatCompletionChunk, "m"));
        Assert.Throws<ArgumentException>(() => SseTemplate.For(Chunk("x"), OpenAIJsonContext.Wire.ChatCompletionChunk, "absent"));
    }

    private static async Task<string> WrittenAsync(Action<SseWriter> write)
    {
        var pipe = new Pipe();
        using (var sse = new SseWriter(pipe.Writer))
        {
            write(sse);
            await sse.FlushAsync(CancellationToken.None);
        }

        await pipe.Writer.CompleteAsync();
        var read = await pipe.Reader.ReadAsync();
        var text = Encoding.UTF8.GetString(read.Buffer);
        pipe.Reader.AdvanceTo(read.Buffer.End);
        return text;
    }
}

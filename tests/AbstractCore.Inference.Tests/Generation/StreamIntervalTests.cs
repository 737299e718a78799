using System.Text.Json.Nodes;
using AbstractCore.Inference.Tests.Infrastructure;
using AbstractCore.TinyModels;
using Microsoft.Extensions.Configuration;

namespace AbstractCore.Inference.Tests.Generation;

/// <summary>ABSTRACTCORE_ONNX_STREAM_INTERVAL_MS groups writes, never tokens: every token stays its own chunk.</summary>
public sealed class StreamIntervalTests
{
    [Theory]
    [InlineData(null, 20)]
    [InlineData("0", 0)]
    [InlineData("150", 150)]
    public void The_interval_is_read_in_milliseconds_with_a_default_of_20(string? value, int expectedMs)
    {
        var settings = InferenceSettings.From(Configuration(value));

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), settings.StreamInterval);
    }

    [Fact]
    public void A_negative_interval_stops_the_service_naming_the_setting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => InferenceSettings.From(Configuration("-5")));

        Assert.Contains(InferenceSettings.StreamIntervalVariable, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("200")]
    public async Task Every_token_is_its_own_chunk_whatever_the_interval(string intervalMs)
    {
        await using var host = await InferenceHost.StartAsync(new Dictionary<string, string?> { [InferenceSettings.StreamIntervalVariable] = intervalMs });

        var (_, events) = await Wire.StreamAsync(host.Http, "v1/chat/completions",
            Wire.Chat("tiny", new JsonObject { ["stream"] = true }, ("user", "Hi")));

        var pieces = events.SkipLast(1).Select(e => JsonNode.Parse(e)!["choices"]![0]!["delta"]!["content"])
            .Where(c => c is not null && (string)c! != "").Select(c => (string)c!).ToList();
        Assert.Equal(TinyVocabulary.ChatAnswer.Select(c => c.ToString()), pieces);
        Assert.Equal("[DONE]", events[^1]);
    }

    [Fact]
    public async Task Concurrent_streams_on_one_clock_each_get_every_token_in_order()
    {
        await using var host = await InferenceHost.StartAsync(new Dictionary<string, string?> { [InferenceSettings.StreamIntervalVariable] = "50" });

        var answers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Wire.StreamAsync(host.Http, "v1/chat/completions",
            Wire.Chat("tiny", new JsonObject { ["stream"] = true }, ("user", "Hi")))));

        foreach (var (_, events) in answers)
        {
            var pieces = events.SkipLast(1).Select(e => (string?)JsonNode.Parse(e)!["choices"]!.AsArray().FirstOrDefault()?["delta"]?["content"])
                .Where(c => !string.IsNullOrEmpty(c)).ToList();
            Assert.Equal(TinyVocabulary.ChatAnswer.Select(c => c.ToString()), pieces);
            Assert.Equal("[DONE]", events[^1]);
        }
    }

    [Fact]
    public async Task A_stream_ends_when_its_generation_ends_not_when_the_interval_does()
    {
        // Ten minutes between writes: the answer (a few milliseconds of generation) must still end at once.
        await using var host = await InferenceHost.StartAsync(new Dictionary<string, string?> { [InferenceSettings.StreamIntervalVariable] = "600000" });

        var (_, events) = await Wire.StreamAsync(host.Http, "v1/chat/completions",
            Wire.Chat("tiny", new JsonObject { ["stream"] = true }, ("user", "Hi"))).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal("[DONE]", events[^1]);
        Assert.Equal(string.Concat(TinyVocabulary.ChatAnswer), string.Concat(events.SkipLast(1)
            .Select(e => (string?)JsonNode.Parse(e)!["choices"]!.AsArray().FirstOrDefault()?["delta"]?["content"])));
    }

    private static IConfiguration Configuration(string? intervalMs) => new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?> { [InferenceSettings.StreamIntervalVariable] = intervalMs })
        .Build();
}

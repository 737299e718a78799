using AbstractCore.TestKit.FakeMedia;
using OpenAI.Audio;

namespace AbstractCore.Api.Tests.Media;

public sealed class AudioSpeechTests(MediaFixture fx) : IClassFixture<MediaFixture>
{
    [Fact]
    public async Task The_official_SDK_gets_the_upstream_audio_bytes()
    {
        var client = fx.Audio("openai-compatible/fake-tts");

        var speech = await client.GenerateSpeechAsync("Hello there.", GeneratedSpeechVoice.Nova,
            new SpeechGenerationOptions { ResponseFormat = GeneratedSpeechFormat.Wav, SpeedRatio = 1.25f });

        var bytes = speech.Value.ToArray();
        Assert.Equal(fx.Upstream.AudioBytes, bytes.Length);
        Assert.All(Enumerable.Range(0, bytes.Length).Where(i => i % 997 == 0), i => Assert.Equal(FakeMediaUpstream.AudioByte(i), bytes[i]));
        var sent = fx.Upstream.Last("/audio/speech").Json!;
        Assert.Equal("fake-tts", (string?)sent["model"]);
        Assert.Equal("nova", (string?)sent["voice"]);
        Assert.Equal("wav", (string?)sent["response_format"]);
        Assert.Equal(1.25, (double)sent["speed"]!, 3);
    }

    [Fact]
    public async Task Audio_goes_out_inline_with_its_type_and_a_file_name()
    {
        using var http = fx.Http();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/audio/speech")
        {
            Content = new StringContent("""{"model":"openai-compatible/fake-tts","text":"Hi","format":"flac"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("audio/flac", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("inline; filename=\"abstractcore-speech.flac\"", response.Content.Headers.ContentDisposition!.ToString());
        Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal(fx.Upstream.AudioBytes, (await response.Content.ReadAsByteArrayAsync()).Length);
        var sent = fx.Upstream.Last("/audio/speech").Json!;
        Assert.Equal("Hi", (string?)sent["input"]);
        Assert.Equal("alloy", (string?)sent["voice"]); // the original's default voice
        Assert.Null(sent["text"]);
        Assert.Null(sent["format"]);
    }

    [Fact]
    public async Task Speech_is_streamed_through_and_a_client_that_leaves_cancels_the_upstream()
    {
        fx.Upstream.AudioGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            using var http = fx.Http();
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/audio/speech")
            {
                Content = new StringContent("""{"model":"openai-compatible/fake-tts","input":"Hi"}""", System.Text.Encoding.UTF8, "application/json"),
            };
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            var body = await response.Content.ReadAsStreamAsync();

            // The upstream has sent one chunk and is holding the rest: the client already reads it.
            var first = new byte[1024];
            var read = await body.ReadAsync(first).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.True(read > 0);
            Assert.Equal(FakeMediaUpstream.AudioByte(1), first[1]);

            response.Dispose(); // the client leaves mid-stream
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (fx.Upstream.AbortedAudio == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            Assert.True(fx.Upstream.AbortedAudio > 0, "the upstream request was not cancelled");
        }
        finally
        {
            fx.Upstream.AudioGate.TrySetResult();
            fx.Upstream.AudioGate = null;
        }
    }

    [Fact]
    public async Task The_provider_scoped_route_takes_an_unprefixed_model()
    {
        using var http = fx.Http();
        var (response, _) = await Json.PostAsync(http, "/openai-compatible/v1/audio/speech", """{"model":"fake-tts","input":"Hi","response_format":"mp3"}""");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("audio/mpeg", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("fake-tts", (string?)fx.Upstream.Last("/audio/speech").Json!["model"]);
    }

    [Theory]
    [InlineData("""{"model":"openai-compatible/fake-tts"}""", 400, "Missing required field: input")]
    [InlineData("""{"model":"openai-compatible/fake-tts","input":"  "}""", 400, "Missing required field: input")]
    [InlineData("""{"model":"openai-compatible/fake-tts","input":"a","response_format":"ogg"}""", 400, "'response_format' must be one of mp3")]
    [InlineData("""{"model":"openai-compatible/fake-tts","input":"a","speed":"fast"}""", 400, "'speed' must be a number.")]
    [InlineData("""{"model":"openai-compatible/fake-tts","input":"a","api_key":"sk-1"}""", 400, "Per-request provider api_key fields are disabled")]
    [InlineData("""{"model":"anthropic/claude","input":"a"}""", 400, "no OpenAI-compatible audio API")]
    [InlineData("""{"model":"nope/voice","input":"a"}""", 404, "Unknown provider 'nope'")]
    [InlineData("""{"model":"tts-1","input":"a"}""", 400, "'model' must name its provider")]
    [InlineData("""{"input":"a"}""", 501, "PUT /v1/config/capability-defaults/output/audio/tts")]
    [InlineData("""{"model":"abstractvoice/default","input":"a"}""", 501, "local abstractvoice plugin")]
    public async Task Bad_inputs_are_refused_before_any_upstream_call(string json, int status, string message)
    {
        using var http = fx.Http();
        var before = fx.Upstream.Requests.Count;

        Json.AssertError(await Json.PostAsync(http, "/v1/audio/speech", json), status, message);
        Assert.Equal(before, fx.Upstream.Requests.Count);
    }

    [Fact]
    public async Task An_upstream_rejection_keeps_its_status_and_message()
    {
        using var http = fx.Http();
        fx.Upstream.FailNext(400, "Input is too long for this voice.");

        Json.AssertError(await Json.PostAsync(http, "/v1/audio/speech", """{"model":"openai-compatible/fake-tts","input":"a"}"""),
            400, "Input is too long for this voice.");
    }
}


namespace AbstractCore.Api.Tests.Media;

public sealed class AudioTranscriptionTests(MediaFixture fx) : IClassFixture<MediaFixture>
{
    private static readonly byte[] Audio = [.. Enumerable.Range(0, 5000).Select(i => (byte)(i % 256))];

    [Fact]
    public async Task The_official_SDK_transcribes_through_the_gateway_and_the_file_arrives_whole()
    {
        var client = fx.Audio("openai-compatible/fake-stt");
        using var audio = new MemoryStream(Audio);

        var result = await client.TranscribeAudioAsync(audio, "speech.wav", new global::OpenAI.Audio.AudioTranscriptionOptions { Language = "en" });

        Assert.Equal(fx.Upstream.Transcript, result.Value.Text);
        var file = fx.Upstream.Files.Last();
        Assert.Equal("file", file.Field);
        Assert.Equal("speech.wav", file.FileName);
        Assert.Equal(Audio, file.Content);
        var sent = fx.Upstream.Last("/audio/transcriptions").Json!;
        Assert.Equal("fake-stt", (string?)sent["model"]);
        Assert.Equal("en", (string?)sent["language"]);
    }

    [Theory]
    [InlineData("text", "text/plain", "Hello from the fake transcriber.\n")]
    [InlineData("srt", "text/plain", "00:00:00,000 --> 00:00:01,500")]
    [InlineData("vtt", "text/plain", "WEBVTT")]
    [InlineData("verbose_json", "application/json", "\"segments\"")]
    [InlineData("json", "application/json", "\"text\":\"Hello from the fake transcriber.\"")]
    public async Task Each_response_format_comes_back_with_its_content_type(string format, string mediaType, string expected)
    {
        using var http = fx.Http();
        using var form = Json.Form(Audio, ("model", "whisper-1"), ("provider", "openai-compatible"), ("response_format", format), ("format", "wav"));

        using var response = await http.PostAsync("/v1/audio/transcriptions", form);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType!.MediaType);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var sent = fx.Upstream.Last("/audio/transcriptions").Json!;
        Assert.Equal(format, (string?)sent["response_format"]);
        Assert.Null(sent["provider"]);
        Assert.Null(sent["format"]);
    }

    [Fact]
    public async Task The_provider_scoped_route_takes_an_unprefixed_model()
    {
        using var http = fx.Http();
        using var form = Json.Form(Audio, ("model", "whisper-1"));

        var (response, body) = await Json.PostFormAsync(http, "/openai-compatible/v1/audio/transcriptions", form);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(fx.Upstream.Transcript, (string?)body!["text"]);
        Assert.Equal("whisper-1", (string?)fx.Upstream.Last("/audio/transcriptions").Json!["model"]);
    }

    [Fact]
    public async Task Wrong_multipart_and_missing_fields_are_400s_naming_the_problem()
    {
        using var http = fx.Http();
        var before = fx.Upstream.Requests.Count;

        Json.AssertError(await Json.PostAsync(http, "/v1/audio/transcriptions", """{"model":"openai-compatible/x"}"""),
            400, "must be multipart/form-data");
        using (var noFile = Json.Form(null, ("model", "openai-compatible/x")))
        {
            Json.AssertError(await Json.PostFormAsync(http, "/v1/audio/transcriptions", noFile), 400, "Missing required field: file");
        }

        using (var textFile = Json.Form(null, ("model", "openai-compatible/x"), ("file", "not a file")))
        {
            Json.AssertError(await Json.PostFormAsync(http, "/v1/audio/transcriptions", textFile), 400, "'file' must be a file part");
        }

        using (var empty = Json.Form([], ("model", "openai-compatible/x")))
        {
            Json.AssertError(await Json.PostFormAsync(http, "/v1/audio/transcriptions", empty), 400, "'file' is empty.");
        }

        using (var key = Json.Form(Audio, ("model", "openai-compatible/x"), ("api_key", "sk-1")))
        {
            Json.AssertError(await Json.PostFormAsync(http, "/v1/audio/transcriptions", key), 400, "api_key fields are disabled");
        }

        using (var unknown = Json.Form(Audio, ("model", "nope/x")))
        {
            Json.AssertError(await Json.PostFormAsync(http, "/v1/audio/transcriptions", unknown), 404, "Unknown provider 'nope'");
        }

        using (var format = Json.Form(Audio, ("model", "openai-compatible/x"), ("response_format", "xml")))
        {
            Json.AssertError(await Json.PostFormAsync(http, "/v1/audio/transcriptions", format), 400, "'response_format' must be one of json");
        }

        using (var noModel = Json.Form(Audio))
        {
            Json.AssertError(await Json.PostFormAsync(http, "/v1/audio/transcriptions", noModel), 501, "capability-defaults/input/audio/stt");
        }

        Assert.Equal(before, fx.Upstream.Requests.Count);
    }

    [Fact]
    public async Task An_oversize_upload_is_a_413_before_it_is_read()
    {
        using var http = fx.Http();
        var before = fx.Upstream.Requests.Count;
        var big = new byte[MediaFixture.MaxUploadBytes + 300_000];

        using (var declared = Json.Form(big, ("model", "openai-compatible/x")))
        {
            Json.AssertError(await Json.PostFormAsync(http, "/v1/audio/transcriptions", declared), 413, "ABSTRACTCORE_SERVER_AUDIO_MAX_BYTES");
        }

        // No Content-Length: the limit is applied while reading, never holding more than it.
        var slightlyOver = new byte[MediaFixture.MaxUploadBytes + 10];
        using (var chunked = Json.Form(slightlyOver, ("model", "openai-compatible/x")))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/audio/transcriptions") { Content = new UnknownLengthContent(chunked) };
            using var response = await http.SendAsync(request);
            Assert.Equal(413, (int)response.StatusCode);
            Assert.Contains("larger than the 100000 bytes allowed", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(before, fx.Upstream.Requests.Count);
    }

    [Fact]
    public async Task Translations_are_always_501()
    {
        using var http = fx.Http();
        using var form = Json.Form(Audio, ("model", "openai-compatible/whisper-1"));

        Json.AssertError(await Json.PostFormAsync(http, "/v1/audio/translations", form), 501,
            "audio/translations is not supported by AbstractCore Server (v1). Use /v1/audio/transcriptions instead.");
    }
}

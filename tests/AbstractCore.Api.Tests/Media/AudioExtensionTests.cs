using AbstractCore.TestKit.FakeMedia;

namespace AbstractCore.Api.Tests.Media;

/// <summary>Voice cloning and music: proxied to a configured upstream, else 501 naming what to set.</summary>
public sealed class AudioExtensionTests(MediaFixture fx) : IClassFixture<MediaFixture>
{
    private static readonly byte[] Reference = [.. Enumerable.Range(0, 3000).Select(i => (byte)(i % 200))];

    [Fact]
    public async Task A_voice_clone_reaches_an_AbstractVoice_compatible_server()
    {
        using var http = fx.Http();
        using var form = Json.Form(Reference, ("model", "openai-compatible/default"), ("name", "my_voice"),
            ("reference_text", "Hello."), ("validate", "true"));

        var (response, body) = await Json.PostFormAsync(http, "/v1/voice/clone", form);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("voice_fake_1", (string?)body!["voice_id"]);
        Assert.True((bool)body["validated"]!);
        var sent = fx.Upstream.Last("/voice/clone");
        Assert.Equal("Bearer " + MediaFixture.UpstreamKey, sent.Headers["Authorization"]);
        Assert.Null(sent.Json!["model"]); // "default" means the server's own
        Assert.Equal(Reference, fx.Upstream.Files.Last().Content);
    }

    [Fact]
    public async Task A_voice_clone_can_use_OpenAIs_path_and_file_field()
    {
        using var http = fx.Http();
        using var form = Json.Form(Reference, ("name", "narrator"), ("clone_path", "/audio/voices"), ("file_field", "audio_sample"), ("consent", "cons_1"));

        var (response, body) = await Json.PostFormAsync(http, "/openai-compatible/v1/voice/clone", form);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("audio.voice", (string?)body!["object"]);
        Assert.Equal("audio_sample", fx.Upstream.Files.Last().Field);
        Assert.Equal("cons_1", (string?)fx.Upstream.Last("/audio/voices").Json!["consent"]);
    }

    [Theory]
    [InlineData("../admin")]
    [InlineData("/v1/../../admin")]
    [InlineData("https://evil.example/x")]
    public async Task A_clone_path_cannot_leave_the_providers_base_url(string path)
    {
        using var http = fx.Http();
        using var form = Json.Form(Reference, ("model", "openai-compatible/default"), ("clone_path", path));

        Json.AssertError(await Json.PostFormAsync(http, "/v1/voice/clone", form), 400, "'clone_path' must be a path");
    }

    [Fact]
    public async Task Music_is_proxied_to_ACE_Music_with_its_own_key_and_streamed_back()
    {
        using var http = fx.Http();
        var (response, _) = await Json.PostAsync(http, "/v1/audio/music",
            """{"provider":"acemusic","input":"A calm piano loop.","duration_s":8,"format":"mp3","lyrics":"la la"}""");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("audio/mpeg", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("inline; filename=\"abstractcore-music.mp3\"", response.Content.Headers.ContentDisposition!.ToString());
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(fx.Upstream.AudioBytes, bytes.Length);
        Assert.Equal(FakeMediaUpstream.AudioByte(12345), bytes[12345]);
        var sent = fx.Upstream.Last("/audio/music");
        Assert.Equal("Bearer " + MediaFixture.AceMusicKey, sent.Headers["Authorization"]);
        var json = sent.Json!;
        Assert.Equal("A calm piano loop.", (string?)json["prompt"]);
        Assert.Equal(8, (int)json["duration_s"]!);
        Assert.Equal("la la", (string?)json["lyrics"]);
        Assert.Null(json["provider"]);
    }

    [Theory]
    [InlineData("/v1/audio/music", """{"provider":"acemusic"}""", 400, "Missing required field: prompt")]
    [InlineData("/v1/audio/music", """{"backend":"acemusic","prompt":"x"}""", 400, "select the music backend with 'provider'")]
    [InlineData("/v1/audio/music", """{"provider":"acemusic","prompt":"x","format":"ogg"}""", 400, "'format' must be one of wav, mp3, flac")]
    [InlineData("/v1/audio/music", """{"provider":"diffusers","prompt":"x"}""", 501, "local plugin this gateway does not host")]
    [InlineData("/v1/audio/music", """{"prompt":"x"}""", 501, "PUT /v1/config/capability-defaults/output/audio/music")]
    [InlineData("/v1/audio/music", """{"provider":"acemusic","prompt":"x","api_key":"k"}""", 400, "api_key fields are disabled")]
    [InlineData("/stable-audio/v1/audio/music", """{"prompt":"x"}""", 501, "Music backend 'stable-audio'")]
    public async Task Bad_music_requests_say_what_is_wrong(string path, string json, int status, string message)
    {
        using var http = fx.Http();
        Json.AssertError(await Json.PostAsync(http, path, json), status, message);
    }
}

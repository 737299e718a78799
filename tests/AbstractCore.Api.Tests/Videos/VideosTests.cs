using System.Net;
using AbstractCore.Api.Tests.Images;

namespace AbstractCore.Api.Tests.Videos;

public sealed class VideosTests(MediaFixture fx) : IClassFixture<MediaFixture>
{
    [Fact]
    public async Task Text_to_video_forwards_every_generation_field_and_answers_mp4_as_b64_json()
    {
        using var http = fx.Http();
        var (response, body) = await Wire.PostAsync(http, "/v1/videos/generations", """
            {"model":"openai-compatible/wan-2.2","prompt":"a data center","width":1280,"height":704,"fps":24,"frames":121,
             "steps":50,"guidance_scale":5.0,"seed":3,"extra":{"max_sequence_length":256}}
            """);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(FakeVisionUpstream.Mp4, Convert.FromBase64String((string)body!["data"]![0]!["b64_json"]!));
        var sent = fx.Last("/videos/generations").Json!.AsObject();
        Assert.Equal("wan-2.2", (string?)sent["model"]);
        Assert.Equal("b64_json", (string?)sent["response_format"]);
        Assert.Equal("1280x704", (string?)sent["size"]);
        Assert.Equal(1280, (int)sent["width"]!);
        Assert.Equal(24, (double)sent["fps"]!);
        Assert.Equal(121, (int)sent["num_frames"]!);
        Assert.Equal(50, (int)sent["steps"]!);
        Assert.Equal(3, (int)sent["seed"]!);
        Assert.Equal(256, (int)sent["max_sequence_length"]!);
        Assert.False(sent.ContainsKey("frames"));
        Assert.False(sent.ContainsKey("extra"));
        Assert.False(sent.ContainsKey("provider"));
    }

    [Theory]
    [InlineData("/v1/videos/edits")]
    [InlineData("/v1/videos/from-image")]
    [InlineData("/openai-compatible/v1/videos/edits")]
    public async Task Image_to_video_sends_the_first_frame_and_the_fields_as_multipart(string path)
    {
        using var http = fx.Http();
        var model = path.StartsWith("/openai-compatible", StringComparison.Ordinal) ? "wan" : "openai-compatible/wan";
        var (response, body) = await MediaFixture.SendAsync(http, path, MediaFixture.Form(
            ("model", model), ("prompt", "push in"), ("image", FakeVisionUpstream.Png), ("fps", "24"), ("extra_json", """{"max_sequence_length":256}""")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(FakeVisionUpstream.Mp4, Convert.FromBase64String((string)body!["data"]![0]!["b64_json"]!));
        var sent = fx.Last("/videos/edits").Json!;
        Assert.Equal("wan", (string?)sent["fields"]!["model"]);
        Assert.Equal("push in", (string?)sent["fields"]!["prompt"]);
        Assert.Equal("24", (string?)sent["fields"]!["fps"]);
        Assert.Equal("256", (string?)sent["fields"]!["max_sequence_length"]);
        Assert.Equal("b64_json", (string?)sent["fields"]!["response_format"]);
        Assert.Equal("image", (string?)sent["files"]![0]!["name"]);
    }

    [Fact]
    public async Task Bad_video_requests()
    {
        using var http = fx.Http();
        var (response, body) = await Wire.PostAsync(http, "/v1/videos/generations", """{"model":"openai-compatible/wan"}""");
        ImageBadInputTests.AssertError(response, body, 400, "Missing required field: prompt", "prompt");

        (response, body) = await MediaFixture.SendAsync(http, "/v1/videos/edits", MediaFixture.Form(("prompt", "p")));
        ImageBadInputTests.AssertError(response, body, 400, "Missing required file: image", "image");

        (response, body) = await Wire.PostAsync(http, "/v1/videos/generations", """{"model":"ollama/llava","prompt":"p"}""");
        ImageBadInputTests.AssertError(response, body, 400, "Provider 'ollama' has no videos API", "model");
    }
}

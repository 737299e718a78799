using System.Net;
using OpenAI.Images;

namespace AbstractCore.Api.Tests.Images;

public sealed class ImagesTests(MediaFixture fx) : IClassFixture<MediaFixture>
{
    [Fact]
    public async Task Sdk_generates_an_image_through_the_upstream_with_the_server_key()
    {
        var client = fx.Images("openai-compatible/gpt-image-1");

        GeneratedImage image = await client.GenerateImageAsync("A red fox in snow", new ImageGenerationOptions
        {
            Size = GeneratedImageSize.W1024xH1024,
            ResponseFormat = GeneratedImageFormat.Bytes,
        });

        Assert.Equal(FakeVisionUpstream.Png, image.ImageBytes.ToArray());
        Assert.Equal("A red fox in snow", image.RevisedPrompt);
        var sent = fx.Last("/images/generations");
        Assert.Equal("Bearer " + MediaFixture.UpstreamKey, sent.Headers["Authorization"]);
        Assert.Equal("gpt-image-1", (string?)sent.Json!["model"]);
        Assert.Equal("1024x1024", (string?)sent.Json["size"]);
        Assert.Equal(1, (int)sent.Json["n"]!);
        Assert.Null(sent.Json["response_format"]);
    }

    [Fact]
    public async Task Sdk_generates_several_images_and_n_is_clamped_to_ten()
    {
        var images = await fx.Images("openai-compatible/gpt-image-1").GenerateImagesAsync("Three cats", 3);
        Assert.Equal(3, images.Value.Count);

        using var http = fx.Http();
        var (response, body) = await Wire.PostAsync(http, "/v1/images/generations", """{"model":"openai-compatible/m","prompt":"many","n":50}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(10, body!["data"]!.AsArray().Count);
        Assert.Equal(10, (int)fx.Last("/images/generations").Json!["n"]!);
    }

    [Fact]
    public async Task Field_rules_size_from_width_and_height_passthrough_extra_and_local_fields_kept_back()
    {
        using var http = fx.Http();
        var (response, body) = await Wire.PostAsync(http, "/v1/images/generations", """
            {"model":"openai-compatible/gpt-image-1","prompt":"a mug","width":512,"height":256,"quality":"low","background":"transparent",
             "seed":7,"steps":20,"guidance_scale":3.5,"negative_prompt":"blur","response_format":"b64_json","extra":{"seed":42,"custom":{"a":1}}}
            """);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Convert.ToBase64String(FakeVisionUpstream.Png), (string?)body!["data"]![0]!["b64_json"]);
        Assert.True((long)body["created"]! > 0);
        var sent = fx.Last("/images/generations").Json!.AsObject();
        Assert.Equal("512x256", (string?)sent["size"]);
        Assert.Equal("low", (string?)sent["quality"]);
        Assert.Equal("transparent", (string?)sent["background"]);
        Assert.Equal(42, (int)sent["seed"]!); // only through extra
        Assert.Equal(1, (int)sent["custom"]!["a"]!);
        foreach (var local in (string[])["steps", "guidance_scale", "negative_prompt", "width", "height", "response_format", "extra", "provider"])
        {
            Assert.False(sent.ContainsKey(local), local);
        }
    }

    [Fact]
    public async Task Without_a_model_the_capability_default_for_images_is_used()
    {
        using var http = fx.Http();
        var put = await http.PutAsync("/v1/config/capability-defaults/output/image",
            Wire.Json("""{"provider":"openai-compatible","model":"flux-default"}"""));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        try
        {
            var (response, _) = await Wire.PostAsync(http, "/v1/images/generations", """{"prompt":"a lighthouse"}""");

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("flux-default", (string?)fx.Last("/images/generations").Json!["model"]);
        }
        finally
        {
            await http.DeleteAsync("/v1/config/capability-defaults/output/image");
        }
    }

    [Fact]
    public async Task Provider_route_takes_an_unprefixed_model_and_the_provider_field_routes_too()
    {
        using var http = fx.Http();
        var (response, _) = await Wire.PostAsync(http, "/openai-compatible/v1/images/generations", """{"model":"flux-dev","prompt":"p"}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("flux-dev", (string?)fx.Last("/images/generations").Json!["model"]);

        (response, _) = await Wire.PostAsync(http, "/v1/images/generations", """{"provider":"openai-compatible","prompt":"p"}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(fx.Last("/images/generations").Json!["model"]);

        // No model, no provider: the configured OpenAI-compatible endpoint is the default backend.
        (response, _) = await Wire.PostAsync(http, "/v1/images/generations", """{"prompt":"default backend"}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("default backend", (string?)fx.Last("/images/generations").Json!["prompt"]);
    }

    [Fact]
    public async Task Sdk_edits_an_image_with_a_mask_as_multipart()
    {
        using var image = new MemoryStream(FakeVisionUpstream.Png);
        using var mask = new MemoryStream(FakeVisionUpstream.Png);

        GeneratedImage edited = await fx.Images("openai-compatible/gpt-image-1").GenerateImageEditAsync(
            image, "mug.png", "Make the mug blue", mask, "mask.png", new ImageEditOptions { ResponseFormat = GeneratedImageFormat.Bytes });

        Assert.Equal(FakeVisionUpstream.Png, edited.ImageBytes.ToArray());
        var sent = fx.Last("/images/edits").Json!;
        Assert.Equal("Make the mug blue", (string?)sent["fields"]!["prompt"]);
        Assert.Equal("gpt-image-1", (string?)sent["fields"]!["model"]);
        var files = sent["files"]!.AsArray();
        Assert.Contains(files, f => (string?)f!["name"] == "image" && (string?)f["filename"] == "mug.png" && (long)f["length"]! == FakeVisionUpstream.Png.Length);
        Assert.Contains(files, f => (string?)f!["name"] == "mask");
    }

    [Fact]
    public async Task Edit_forwards_named_fields_and_extra_json_and_keeps_local_fields_back()
    {
        using var http = fx.Http();
        var (response, body) = await MediaFixture.SendAsync(http, "/openai-compatible/v1/images/edits", MediaFixture.Form(
            ("prompt", "blue"), ("model", "gpt-image-1"), ("image", FakeVisionUpstream.Png), ("size", "512x512"),
            ("quality", "high"), ("steps", "30"), ("extra_json", """{"input_fidelity":"high","n_steps":4}""")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(body!["data"]!.AsArray());
        var fields = fx.Last("/images/edits").Json!["fields"]!.AsObject();
        Assert.Equal("512x512", (string?)fields["size"]);
        Assert.Equal("high", (string?)fields["quality"]);
        Assert.Equal("high", (string?)fields["input_fidelity"]);
        Assert.Equal("4", (string?)fields["n_steps"]);
        Assert.False(fields.ContainsKey("steps"));
        Assert.False(fields.ContainsKey("extra_json"));
    }
}

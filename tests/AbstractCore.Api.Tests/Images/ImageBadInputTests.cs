using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace AbstractCore.Api.Tests.Images;

/// <summary>Every bad image request is answered in the OpenAI error envelope with the status and a message naming the problem.</summary>
public sealed class ImageBadInputTests(MediaFixture fx) : IClassFixture<MediaFixture>
{
    [Theory]
    [InlineData("""{"model":"openai-compatible/m"}""", 400, "Missing required field: prompt", "prompt")]
    [InlineData("""{"model":"openai-compatible/m","prompt":"   "}""", 400, "Missing required field: prompt", "prompt")]
    [InlineData("""{"model":"nope/m","prompt":"p"}""", 404, "Unknown provider 'nope'", "model")]
    [InlineData("""{"model":"anthropic/claude-3","prompt":"p"}""", 400, "Provider 'anthropic' has no images API", "model")]
    [InlineData("""{"model":"openai/gpt-4o-mini","prompt":"p"}""", 400, "is a chat model and is not supported by /v1/images/*", "model")]
    [InlineData("""{"model":"diffusers/default","prompt":"p"}""", 501, "Local images engines ('diffusers') are not part of this server", "model")]
    [InlineData("""{"model":"openai-compatible/m","prompt":"p","api_key":"sk-x"}""", 400, "Per-request provider api_key fields are disabled", "api_key")]
    [InlineData("""{"model":"openai-compatible/m","prompt":"p","cfg":3}""", 400, "Unknown field 'cfg'. Put backend-specific parameters in 'extra'", "cfg")]
    [InlineData("""{"model":"openai-compatible/m","prompt":"p","response_format":"url"}""", 400, "only b64_json is", "response_format")]
    [InlineData("""{"model":"openai-compatible/m","prompt":"p","size":"big"}""", 400, "size must be WIDTHxHEIGHT", "size")]
    [InlineData("""{"model":"openai-compatible/m","prompt":"p","n":"two"}""", 400, "'n' has the wrong type", "n")]
    [InlineData("""{"model":"openai-compatible/m","prompt":"p","extra":[1]}""", 400, "'extra' must be a JSON object", "extra")]
    [InlineData("""{"model":"openai-compatible/m","prompt":"p","base_url":"http://example.com/v1"}""", 403, "Refusing request-level base_url override without an explicit provider key", "base_url")]
    public async Task Generation_bad_input(string json, int status, string message, string param)
    {
        using var http = fx.Http();
        var calls = fx.Upstream.Calls;

        var (response, body) = await Wire.PostAsync(http, "/v1/images/generations", json);

        AssertError(response, body, status, message, param);
        Assert.Equal(calls, fx.Upstream.Calls);
    }

    [Fact]
    public async Task Sdk_sees_the_status_and_message_of_a_bad_request()
    {
        var e = await Assert.ThrowsAsync<ClientResultException>(() => fx.Images("nope/gpt-image-1").GenerateImageAsync("p"));
        Assert.Equal(404, e.Status);
        Assert.Contains("Unknown provider 'nope'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Edit_without_multipart_is_refused_naming_the_expected_form()
    {
        using var http = fx.Http();
        var (response, body) = await Wire.PostAsync(http, "/v1/images/edits", """{"prompt":"p","image":"abc"}""");
        AssertError(response, body, 400, "/v1/images/edits takes multipart/form-data with an 'image' file and a 'prompt' field", "image");
    }

    [Fact]
    public async Task Edit_with_a_broken_multipart_body_is_a_400()
    {
        using var http = fx.Http();
        var content = new StringContent("--xyz\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\nunterminated", Encoding.UTF8);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/form-data; boundary=xyz");
        var (response, body) = await MediaFixture.SendAsync(http, "/v1/images/edits", content);
        AssertError(response, body, 400, "The multipart body could not be read", null);
    }

    [Fact]
    public async Task Edit_missing_prompt_or_image_and_image_sent_as_text()
    {
        using var http = fx.Http();
        var (response, body) = await MediaFixture.SendAsync(http, "/v1/images/edits",
            MediaFixture.Form(("model", "openai-compatible/m"), ("image", FakeVisionUpstream.Png)));
        AssertError(response, body, 400, "Missing required field: prompt", "prompt");

        (response, body) = await MediaFixture.SendAsync(http, "/v1/images/edits", MediaFixture.Form(("prompt", "p")));
        AssertError(response, body, 400, "Missing required file: image", "image");

        (response, body) = await MediaFixture.SendAsync(http, "/v1/images/edits", MediaFixture.Form(("prompt", "p"), ("image", "not a file")));
        AssertError(response, body, 400, "'image' was sent as a text field, not a file", "image");

        (response, body) = await MediaFixture.SendAsync(http, "/v1/images/edits",
            MediaFixture.Form(("prompt", "p"), ("image", FakeVisionUpstream.Png), ("extra_json", "[1,2]")));
        AssertError(response, body, 400, "extra_json must be a JSON object string", "extra_json");
    }

    [Fact]
    public async Task Edit_with_an_oversize_upload_is_a_413()
    {
        using var http = fx.Http();
        var (response, body) = await MediaFixture.SendAsync(http, "/v1/images/edits",
            MediaFixture.Form(("prompt", "p"), ("image", new byte[(10 * 1024 * 1024) + 1])));
        AssertError(response, body, 413, "'image' is larger than 10 MB", "image");
    }

    [Fact]
    public async Task Edit_with_an_unknown_provider_route_is_a_404()
    {
        using var http = fx.Http();
        var (response, body) = await MediaFixture.SendAsync(http, "/nope/v1/images/edits",
            MediaFixture.Form(("prompt", "p"), ("image", FakeVisionUpstream.Png)));
        AssertError(response, body, 404, "Unknown provider 'nope'", "model");
    }

    [Fact]
    public async Task An_upstream_failure_is_a_502_with_its_message()
    {
        using var http = fx.Http();
        fx.Upstream.FailNext(1);
        var (response, body) = await Wire.PostAsync(http, "/v1/images/generations", """{"model":"openai-compatible/m","prompt":"p"}""");
        AssertError(response, body, 502, "failed on purpose (HTTP 500)", null);
    }

    [Fact]
    public async Task An_upstream_url_answer_is_not_fetched_blindly()
    {
        using var http = fx.Http();
        fx.Upstream.AnswerWithUrls = true;
        try
        {
            var (response, body) = await Wire.PostAsync(http, "/v1/images/generations", """{"model":"openai-compatible/m","prompt":"p"}""");
            // The fake lives on loopback: the SSRF-safe fetcher refuses it unless allowlisted (see ImageUrlAnswerTests).
            AssertError(response, body, 502, "The upstream answered with a media URL that could not be downloaded", null);
            Assert.Contains("non-public", (string?)body!["error"]!["message"], StringComparison.Ordinal);
        }
        finally
        {
            fx.Upstream.AnswerWithUrls = false;
        }
    }

    internal static void AssertError(HttpResponseMessage response, JsonNode? body, int status, string message, string? param)
    {
        Assert.Equal((HttpStatusCode)status, response.StatusCode);
        var error = body!["error"]!;
        Assert.Contains(message, (string?)error["message"], StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty((string?)error["type"]));
        Assert.Equal(param, (string?)error["param"]);
    }
}

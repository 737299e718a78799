using System.Net;
using AbstractCore.Api.Tests.Infrastructure;

namespace AbstractCore.Api.Tests.Images;

/// <summary>An upstream that answers image URLs: downloaded through the SSRF-safe fetcher and returned as b64_json.</summary>
public sealed class ImageUrlAnswerTests : IAsyncLifetime
{
    private FakeVisionUpstream _upstream = null!;
    private GatewayFactory _gateway = null!;

    public async Task InitializeAsync()
    {
        _upstream = await FakeVisionUpstream.StartAsync();
        _upstream.AnswerWithUrls = true;
        _gateway = Gateway(_upstream);
    }

    private static GatewayFactory Gateway(FakeVisionUpstream upstream) => new(new Dictionary<string, string?>
    {
        ["ABSTRACTCORE_AUTH_TOKEN"] = GatewayFixture.Token,
        ["OPENAI_COMPATIBLE_BASE_URL"] = upstream.BaseUrl.AbsoluteUri,
        ["ABSTRACTCORE_SERVER_URL_FETCH_ALLOWLIST"] = $"127.0.0.1:{upstream.BaseUrl.Port}",
    });

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task An_allowlisted_url_answer_is_downloaded_and_returned_as_b64_json()
    {
        using var http = _gateway.Http(GatewayFixture.Token);
        var (response, body) = await Wire.PostAsync(http, "/v1/images/generations", """{"model":"openai-compatible/m","prompt":"p","n":2}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, body!["data"]!.AsArray().Count);
        Assert.All(body["data"]!.AsArray(), item =>
        {
            Assert.Equal(FakeVisionUpstream.Png, Convert.FromBase64String((string)item!["b64_json"]!));
            Assert.Null(item["url"]);
        });
    }
}

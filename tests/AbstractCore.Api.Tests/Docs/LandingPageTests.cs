using System.Net;
using AbstractCore.Api.Tests.Infrastructure;

namespace AbstractCore.Api.Tests.Docs;

/// <summary><c>GET /</c> and <c>/favicon.ico</c> answer without the token, even with PROTECT_DOCS (spec §2.1).</summary>
public sealed class LandingPageTests
{
    private static GatewayFactory Gateway(bool protectDocs) => new(new Dictionary<string, string?>
    {
        ["ABSTRACTCORE_AUTH_TOKEN"] = "landing-token",
        ["ABSTRACTCORE_SERVER_PROTECT_DOCS"] = protectDocs ? "1" : null,
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_landing_page_links_the_docs_and_shows_a_first_request_for_this_server(bool protectDocs)
    {
        await using var gateway = Gateway(protectDocs);
        using var response = await gateway.CreateClient().GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        foreach (var link in (string[])["href=\"docs/\"", "href=\"health\"", "href=\"openapi.json\"", "href=\"favicon.ico\""])
        {
            Assert.Contains(link, html, StringComparison.Ordinal);
        }

        Assert.Contains("curl http://localhost/v1/chat/completions", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_favicon_is_a_small_icon(bool protectDocs)
    {
        await using var gateway = Gateway(protectDocs);
        using var response = await gateway.CreateClient().GetAsync("/favicon.ico");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/x-icon", response.Content.Headers.ContentType?.MediaType);
        var icon = await response.Content.ReadAsByteArrayAsync();
        Assert.InRange(icon.Length, 23, 4095);
        Assert.Equal(new byte[] { 0, 0, 1, 0 }, icon[..4]); // ICO header: reserved 0, type 1 (icon)
    }

    [Fact]
    public async Task Other_paths_stay_closed_and_scalar_hides_its_second_models_section()
    {
        await using var gateway = Gateway(protectDocs: false);
        using var http = gateway.CreateClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/index.html")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync("/", null)).StatusCode);
        Assert.Contains("\"hideModels\":true", await http.GetStringAsync("/docs/"), StringComparison.Ordinal);
    }
}

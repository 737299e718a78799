using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AbstractCore.Api.Tests.Infrastructure;

namespace AbstractCore.Api.Tests.Docs;

/// <summary>Who may read the docs (ABSTRACTCORE_SERVER_PROTECT_DOCS), and that every page is served by the server itself.</summary>
public sealed partial class DocsAccessTests
{
    private const string Token = "docs-server-token";

    /// <summary>Every docs route: pages, their assets, the token gate script and the schema.</summary>
    public static readonly TheoryData<string> DocRoutes = new()
    {
        "/docs", "/docs/", "/docs/scalar.js", "/docs/scalar.aspnetcore.js", "/docs/acore-token-gate.js",
        "/redoc", "/redoc/index.html", "/redoc/index.js", "/redoc/index.css", "/redoc/redoc.standalone.js",
        "/docs-lite", "/openapi.json",
    };

    private static GatewayFactory Gateway(bool protectDocs) => new(new Dictionary<string, string?>
    {
        ["ABSTRACTCORE_AUTH_TOKEN"] = Token,
        ["ABSTRACTCORE_SERVER_PROTECT_DOCS"] = protectDocs ? "1" : null,
    });

    private static HttpClient Client(GatewayFactory gateway, string? token = null)
    {
        var client = gateway.CreateClient(new() { AllowAutoRedirect = false });
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    [Theory]
    [MemberData(nameof(DocRoutes))]
    public async Task Docs_are_public_by_default_while_the_api_stays_protected(string route)
    {
        await using var gateway = Gateway(protectDocs: false);
        using var http = Client(gateway);

        using var response = await http.GetAsync(route);

        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Found or HttpStatusCode.MovedPermanently, $"{route}: {response.StatusCode}");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/v1/models")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(DocRoutes))]
    public async Task Protect_docs_puts_every_docs_route_behind_the_server_token(string route)
    {
        await using var gateway = Gateway(protectDocs: true);

        using var anonymous = await Client(gateway).GetAsync(route);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.ToString());
        var error = JsonNode.Parse(await anonymous.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal("Missing server Authorization bearer token", (string?)error["message"]);
        Assert.Equal("authentication_error", (string?)error["type"]);

        using var wrong = await Client(gateway, "not-the-token").GetAsync(route);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("Invalid server Authorization bearer token", (string?)JsonNode.Parse(await wrong.Content.ReadAsStringAsync())!["error"]!["message"]);

        using var authorized = await Client(gateway, Token).GetAsync(route);
        Assert.True(authorized.StatusCode is HttpStatusCode.OK or HttpStatusCode.Found or HttpStatusCode.MovedPermanently, $"{route}: {authorized.StatusCode}");
    }

    [Theory]
    [InlineData("/docs/")]
    [InlineData("/redoc/index.html")]
    [InlineData("/redoc/index.js")]
    [InlineData("/redoc/index.css")]
    [InlineData("/docs-lite")]
    [InlineData("/docs/acore-token-gate.js")]
    public async Task Doc_pages_reference_nothing_outside_the_server(string route)
    {
        await using var gateway = Gateway(protectDocs: false);
        var text = await Client(gateway).GetStringAsync(route);

        Assert.NotEmpty(text);
        Assert.Empty(AbsoluteUrl().Matches(text));
    }

    [Theory]
    [InlineData("/docs/scalar.js")]
    [InlineData("/redoc/redoc.standalone.js")]
    public async Task Bundled_browsers_are_served_locally_and_load_no_web_fonts(string route)
    {
        await using var gateway = Gateway(protectDocs: false);
        using var http = Client(gateway);

        // The bundles are served from the server (megabytes of JavaScript, not a redirect to a CDN)...
        using var bundle = await http.GetAsync(route);
        Assert.Equal(HttpStatusCode.OK, bundle.StatusCode);
        Assert.True((await bundle.Content.ReadAsByteArrayAsync()).Length > 1_000_000, route);

        // ...and the pages that load them turn off Scalar's CDN fonts and link no font service.
        var scalarPage = await http.GetStringAsync("/docs/");
        Assert.Contains("\"withDefaultFonts\":false", scalarPage, StringComparison.Ordinal);
        Assert.Contains("\"telemetry\":false", scalarPage, StringComparison.Ordinal);
        Assert.DoesNotContain("fonts.googleapis.com", await http.GetStringAsync("/redoc/index.html"), StringComparison.Ordinal);
    }

    /// <summary>Any absolute http(s) URL: the docs pages use only relative ones.</summary>
    [GeneratedRegex(@"https?://[^\s""'<>)]+", RegexOptions.IgnoreCase)]
    private static partial Regex AbsoluteUrl();
}

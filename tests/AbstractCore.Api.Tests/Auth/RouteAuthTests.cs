using System.Net;
using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;
using AbstractCore.Api.Tests.Routes;

namespace AbstractCore.Api.Tests.Auth;

/// <summary>
/// Every API route needs the server token, also when placed under a docs path (a provider named "docs", "redoc", …,
/// in any case): the docs are open by endpoint, not by path prefix, and no body is read without the token.
/// </summary>
public sealed class RouteAuthTests(GatewayFixture fx) : IClassFixture<GatewayFixture>
{
    private static readonly string[] DocsPrefixes =
        ["docs", "Docs", "DOCS", "redoc", "ReDoc", "scalar", "SCALAR", "openapi.json", "OpenAPI.JSON", "docs-lite", "Docs-Lite"];

    public static TheoryData<ApiRoute> Routes => ApiRoutes.Theory(ApiRoutes.All);

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Every_api_route_needs_the_token(ApiRoute route)
    {
        using var http = fx.Gateway.CreateClient();
        foreach (var authorization in (string?[])[null, "Bearer wrong-token"])
        {
            using var response = await SendAsync(http, route, route.Path, authorization);
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync());
            AuthTestKit.AssertError(response, body, HttpStatusCode.Unauthorized,
                authorization is null ? "Missing server Authorization bearer token" : "Invalid server Authorization bearer token", "authentication_error");
        }
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Every_api_route_under_every_docs_prefix_needs_the_token(ApiRoute route)
    {
        using var http = fx.Gateway.CreateClient();
        var tail = route.Template.StartsWith("/{provider}", StringComparison.Ordinal)
            ? route.Path["/openai-compatible".Length..]
            : route.Path;
        var before = fx.Upstream.Requests.Count;

        foreach (var prefix in DocsPrefixes)
        {
            using var response = await SendAsync(http, route, $"/{prefix}{tail}", null);
            if (tail.Count(c => c == '/') == 1 && route.Method == "GET" && prefix.StartsWith("doc", StringComparison.OrdinalIgnoreCase) && prefix.Length == 4)
            {
                // "/docs/providers" is Scalar's page for a document named "providers", not the API route.
                Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
                continue;
            }

            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync());
            AuthTestKit.AssertError(response, body, HttpStatusCode.Unauthorized, "Missing server Authorization bearer token", "authentication_error");
        }

        Assert.Equal(before, fx.Upstream.Requests.Count);
    }

    [Theory]
    [InlineData("docs")]
    [InlineData("REDOC")]
    [InlineData("openapi.json")]
    public async Task A_docs_name_is_never_a_provider_even_with_the_token(string name)
    {
        using var http = fx.Http();
        using var response = await http.PostAsync($"/{name}/v1/chat/completions", Wire.Json(AuthTestKit.ChatBody(GatewayFixture.Model)));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    /// <summary>The route's method on <paramref name="path"/>, with a JSON body where the route reads one.</summary>
    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, ApiRoute route, string path, string? authorization)
    {
        using var request = new HttpRequestMessage(new HttpMethod(route.Method), path);
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        if (route.Body != BodyKind.None)
        {
            request.Content = Wire.Json(AuthTestKit.ChatBody(GatewayFixture.Model));
        }

        return await http.SendAsync(request);
    }
}

using System.Net;
using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Auth;
using AbstractCore.Api.Tests.Infrastructure;
using AbstractCore.Api.Tests.Routes;

namespace AbstractCore.Api.Tests.Keys;

/// <summary>
/// Every API route (the table the auth and fuzz tests share) with virtual keys: an unknown key is 401, a key limited to
/// other routes is 403 before any body is read or upstream called, and only an admin key reaches the key routes.
/// </summary>
public sealed class VirtualKeyRouteTests(KeysFixture fx) : IClassFixture<KeysFixture>
{
    public static TheoryData<ApiRoute> Routes => ApiRoutes.Theory(ApiRoutes.All);

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Every_route_refuses_an_unknown_key_and_a_key_for_other_routes(ApiRoute route)
    {
        var (_, limited) = await fx.CreateKeyAsync("""
            "routes":["/v1/nothing-else"]
            """);
        var before = fx.Upstream.Requests.Count;

        foreach (var (key, status, code) in new[] { ("ack-unknown-key-000000000000", 401, (string?)null), (limited, 403, "route_not_allowed") })
        {
            using var http = fx.As(key);
            using var request = new HttpRequestMessage(new HttpMethod(route.Method), route.Path);
            if (route.Body != BodyKind.None)
            {
                request.Content = Wire.Json(AuthTestKit.ChatBody(GatewayFixture.Model));
            }

            using var response = await http.SendAsync(request);
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

            Assert.Equal(status, (int)response.StatusCode);
            Assert.NotNull(body["error"]);
            if (code is not null && !route.AnthropicErrors)
            {
                Assert.Equal(code, (string?)body["error"]!["code"]);
            }
        }

        Assert.Equal(before, fx.Upstream.Requests.Count);
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Only_an_admin_key_reaches_the_key_routes(ApiRoute route)
    {
        var (_, plain) = await fx.CreateKeyAsync();
        using var http = fx.As(plain);
        using var request = new HttpRequestMessage(new HttpMethod(route.Method), route.Path);
        if (route.Body != BodyKind.None)
        {
            request.Content = Wire.Json("""{"name":"x"}""");
        }

        using var response = await http.SendAsync(request);

        if (route.Template.StartsWith("/acore/keys", StringComparison.Ordinal))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }
        else
        {
            Assert.NotEqual(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }
}

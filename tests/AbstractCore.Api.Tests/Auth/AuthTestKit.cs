using System.Net;
using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;

namespace AbstractCore.Api.Tests.Auth;

/// <summary>Shared helpers for the auth and key tests.</summary>
internal static class AuthTestKit
{
    public const string Token = GatewayFixture.Token;

    public static string ChatBody(string model, string extra = "") =>
        $$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]{{extra}}}""";

    public static HttpClient Client(GatewayFactory gateway, string? authorization = null, params (string Name, string Value)[] headers)
    {
        var http = gateway.CreateClient();
        if (authorization is not null)
        {
            http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        }

        foreach (var (name, value) in headers)
        {
            http.DefaultRequestHeaders.TryAddWithoutValidation(name, value);
        }

        return http;
    }

    public static async Task<(HttpResponseMessage Response, JsonNode? Body)> GetAsync(HttpClient http, string path)
    {
        var response = await http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? body = null;
        try
        {
            body = text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
        }

        return (response, body);
    }

    public static void AssertError(HttpResponseMessage response, JsonNode? body, HttpStatusCode status, string message, string? type = null)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(message, (string?)body?["error"]?["message"]);
        if (type is not null)
        {
            Assert.Equal(type, (string?)body!["error"]!["type"]);
        }

        if (status == HttpStatusCode.Unauthorized)
        {
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        }
    }

    /// <summary>True if <paramref name="secret"/> appears in any header or body the upstream received.</summary>
    public static bool Received(FakeOpenAIUpstream upstream, string secret) =>
        upstream.Requests.Any(r => r.Body.Contains(secret, StringComparison.Ordinal) ||
                                   r.Headers.Any(h => h.Value.Contains(secret, StringComparison.Ordinal)));

    public static string? AuthorizationOf(RecordedRequest request) =>
        request.Headers.TryGetValue("Authorization", out var v) ? v : null;

    public static string ServerKeyMessage(string env) =>
        $"Server-held {env} is configured, but inbound server auth is not. Set ABSTRACTCORE_AUTH_TOKEN and send " +
        "Authorization: Bearer <server-token>, or pass an explicit provider key with X-AbstractCore-Provider-API-Key.";

    public static string ExfiltrationMessage(string env, string provider) =>
        $"Refusing request-level base_url override without an explicit provider key because the server has {env} set. " +
        $"Provide the provider key via X-AbstractCore-Provider-API-Key. (provider={provider})";

    public const string BodyApiKeyMessage =
        "Per-request provider api_key fields are disabled for the HTTP server because they leak through bodies, logs, and client " +
        "history. Use X-AbstractCore-Provider-API-Key for a provider override, or configure provider keys on the server.";

    public const string NotConfiguredMessage =
        "Server authentication is required but ABSTRACTCORE_AUTH_TOKEN is not configured. Set ABSTRACTCORE_AUTH_TOKEN, set " +
        "ABSTRACTCORE_SERVER_ALLOW_UNAUTHENTICATED=1 only for intentional local/dev use, or pass an explicit upstream provider key " +
        "via X-AbstractCore-Provider-API-Key or Authorization: Bearer <provider-key>.";

    public const string BaseUrlRefusedMessage =
        "Request-level base_url overrides are restricted for security. By default only loopback URLs are allowed. " +
        "To allow additional hosts/prefixes, set ABSTRACTCORE_SERVER_BASE_URL_ALLOWLIST.";
}

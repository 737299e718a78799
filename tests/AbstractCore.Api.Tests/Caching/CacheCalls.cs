using AbstractCore.Api.Tests.Infrastructure;

namespace AbstractCore.Api.Tests.Caching;

/// <summary>Requests for the response cache tests: chat bodies with a question no other test asks, sent raw so the
/// answer's bytes and SSE frames can be compared.</summary>
internal static class CacheCalls
{
    public const string CacheHeader = "X-AbstractCore-Cache";

    /// <summary>A question of its own, so entries other tests stored in the same gateway never answer it.</summary>
    public static string Unique() => "question " + Guid.NewGuid().ToString("N");

    /// <summary>A chat body for <see cref="GatewayFixture.Model"/> with one user message and <paramref name="fields"/>
    /// (JSON members, each with a leading comma) after it.</summary>
    public static string ChatBody(string question, string fields = "") =>
        $$"""{"model":"{{GatewayFixture.Model}}","messages":[{"role":"user","content":"{{question}}"}]{{fields}}}""";

    public static async Task<(HttpResponseMessage Response, string Body)> PostAsync(
        HttpClient http, string json, string? cacheControl = null, string path = "/v1/chat/completions")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Wire.Json(json) };
        if (cacheControl is not null)
        {
            request.Headers.TryAddWithoutValidation("Cache-Control", cacheControl);
        }

        var response = await http.SendAsync(request);
        return (response, await response.Content.ReadAsStringAsync());
    }

    public static string? Cache(HttpResponseMessage response) => Wire.Header(response, CacheHeader);

    /// <summary>An SSE body's events, each as sent (its blank line left out).</summary>
    public static string[] Frames(string body) => body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
}

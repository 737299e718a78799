using AbstractCore.Api.Tests.Media;
using static AbstractCore.Api.Tests.Caching.CacheCalls;

namespace AbstractCore.Api.Tests.Caching;

/// <summary>The response cache on <c>POST /v1/embeddings</c>.</summary>
public sealed class ResponseCacheEmbeddingsTests(MediaFixture fx) : IClassFixture<MediaFixture>
{
    private int Calls => fx.Upstream.Requests.Count(r => r.Path == "/v1/embeddings");

    [Fact]
    public async Task A_repeated_embeddings_request_is_a_hit_and_cache_is_not_forwarded()
    {
        using var http = fx.Http();
        var json = $$$"""{"model":"openai-compatible/fake-embed","input":["{{{Unique()}}}","second"],"cache":{"ttl_s":60}}""";
        var calls = Calls;

        var (first, firstBody) = await PostAsync(http, json, path: "/v1/embeddings");
        var (second, secondBody) = await PostAsync(http, json, path: "/v1/embeddings");

        Assert.Equal(200, (int)first.StatusCode);
        Assert.Equal("miss", Cache(first));
        Assert.Equal("hit", Cache(second));
        Assert.Equal(firstBody, secondBody);
        Assert.Equal(calls + 1, Calls);
        Assert.False(fx.Upstream.Last("/embeddings").Json!.AsObject().ContainsKey("cache"));
    }

    [Fact]
    public async Task Embeddings_without_an_opt_in_are_not_cached()
    {
        using var http = fx.Http();
        var json = $$"""{"model":"openai-compatible/fake-embed","input":"{{Unique()}}"}""";
        var calls = Calls;

        var (first, _) = await PostAsync(http, json, path: "/v1/embeddings");
        var (second, _) = await PostAsync(http, json, path: "/v1/embeddings");

        Assert.Equal(200, (int)second.StatusCode);
        Assert.Null(Cache(first));
        Assert.Null(Cache(second));
        Assert.Equal(calls + 2, Calls);
    }
}

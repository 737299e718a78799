using System.Text.Json.Nodes;
using AbstractCore.Inference.Tests.Infrastructure;

namespace AbstractCore.Inference.Tests.PromptCache;

public sealed class PromptCacheEvictionTests
{
    [Fact]
    public async Task Over_the_memory_budget_the_least_recently_used_key_is_evicted()
    {
        // One key of this shape holds about 230 KB of KV state: the budget fits two.
        await using var host = await InferenceHost.StartAsync(new Dictionary<string, string?> { [InferenceSettings.PromptCacheMbVariable] = "0.6" });
        await ChatAsync(host, "k1");
        await ChatAsync(host, "k2");
        await ChatAsync(host, "k1"); // k2 is now the least recently used
        var (_, before) = await Wire.GetAsync(host.Http, "acore/prompt_cache/stats?model=tiny");
        Assert.Equal(0, (int)before!["stats"]!["evictions"]!);

        await ChatAsync(host, "k3");

        var (_, after) = await Wire.GetAsync(host.Http, "acore/prompt_cache/stats?model=tiny");
        var stats = after!["stats"]!;
        Assert.Equal(1, (int)stats["evictions"]!);
        Assert.Equal(["k1", "k3"], stats["entries"]!.AsArray().Select(e => (string)e!["key"]!));
        Assert.True((long)stats["bytes"]! <= (long)stats["budget_bytes"]!);
    }

    private static async Task ChatAsync(InferenceHost host, string key)
    {
        var (response, body) = await Wire.PostAsync(host.Http, "v1/chat/completions",
            Wire.Chat("tiny", new JsonObject { ["prompt_cache_key"] = key, ["max_tokens"] = 20 }, ("user", new string('q', 100))));
        Assert.True(response.IsSuccessStatusCode, body?.ToJsonString());
    }
}

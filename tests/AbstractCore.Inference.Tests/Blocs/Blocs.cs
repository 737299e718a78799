using System.Net;
using System.Text.Json.Nodes;

namespace AbstractCore.Inference.Tests.Blocs;

/// <summary>Calls of the bloc KV routes and bound chats against one Inference host.</summary>
internal static class Blocs
{
    /// <summary>A bloc long enough that reusing it is visible: 1 + its length + 1 tokens once rendered as a system message.</summary>
    public static string Text(string topic) =>
        $"Memory bloc about {topic}. " + string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog. ", 8));

    /// <summary>"&lt;|system|&gt;" + the text (one token a byte) + "&lt;|end|&gt;".</summary>
    public static int Tokens(string text) => 1 + System.Text.Encoding.UTF8.GetByteCount(text) + 1;

    public static async Task<(HttpStatusCode Status, JsonNode Body)> PostAsync(HttpClient http, string route, JsonObject body)
    {
        var (response, reply) = await Wire.PostAsync(http, "acore/blocs/kv/" + route, body.ToJsonString());
        return (response.StatusCode, reply!);
    }

    public static async Task<(HttpStatusCode Status, JsonNode Body)> GetAsync(HttpClient http, string routeAndQuery)
    {
        var (response, reply) = await Wire.GetAsync(http, "acore/blocs/kv/" + routeAndQuery);
        return (response.StatusCode, reply!);
    }

    public static async Task<JsonNode> OkAsync(HttpClient http, string route, JsonObject body)
    {
        var (status, reply) = await PostAsync(http, route, body);
        Assert.True(status == HttpStatusCode.OK, reply.ToJsonString());
        Assert.True((bool)reply["ok"]!);
        return reply["artifact"] ?? reply;
    }

    /// <summary>A chat whose prompt starts with the bloc as its system message, bound to <paramref name="binding"/>.</summary>
    public static string Chat(string model, string bloc, JsonNode? binding, string question = "What is in the bloc?", bool stream = false)
    {
        var extra = new JsonObject();
        if (binding is not null)
        {
            extra["prompt_cache_binding"] = binding.DeepClone();
            if (binding is JsonObject { } b && b["key"] is { } key)
            {
                extra["prompt_cache_key"] = key.DeepClone();
            }
        }

        if (stream)
        {
            extra["stream"] = true;
        }

        return Wire.Chat(model, extra, ("system", bloc), ("user", question));
    }

    public static async Task<JsonNode> StatsAsync(HttpClient http, string model)
    {
        var (_, body) = await Wire.GetAsync(http, $"acore/prompt_cache/stats?model={model}");
        return body!["stats"]!;
    }

    public static string? Answer(JsonNode completion) => (string?)completion["choices"]![0]!["message"]!["content"];
}

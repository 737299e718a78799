using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;

namespace AbstractCore.Api.Tests.Aliases;

/// <summary>
/// The ground the routing rule tests stand on: fake OpenAI-compatible upstreams on real Kestrel (<see cref="A"/>,
/// <see cref="B"/>, <see cref="C"/>), and a gateway in process whose alias <see cref="Alias"/> the test configures
/// (<see cref="Start"/>) over them. Every test gets its own fakes and gateway, so circuits and counters start clean.
/// </summary>
public abstract class AliasRulesTests : IAsyncLifetime
{
    protected const string Token = "alias-rules-token";
    protected const string Alias = "team/smart";

    protected FakeOpenAIUpstream A { get; private set; } = null!;

    protected FakeOpenAIUpstream B { get; private set; } = null!;

    protected FakeOpenAIUpstream C { get; private set; } = null!;

    private GatewayFactory? Factory { get; set; }

    protected GatewayFactory Gateway => Factory ?? throw new InvalidOperationException("Start the gateway first.");

    /// <summary>Whether the fakes keep every request (false for load tests, which count with <see cref="FakeReply.Tracked"/>).</summary>
    protected virtual bool Record => true;

    public virtual async Task InitializeAsync()
    {
        A = await FakeOpenAIUpstream.StartAsync(Record);
        B = await FakeOpenAIUpstream.StartAsync(Record);
        C = await FakeOpenAIUpstream.StartAsync(Record);
    }

    public virtual async Task DisposeAsync()
    {
        if (Factory is not null)
        {
            await Factory.DisposeAsync();
        }

        await A.DisposeAsync();
        await B.DisposeAsync();
        await C.DisposeAsync();
    }

    /// <summary>Starts the gateway with <see cref="Alias"/> over <paramref name="deployments"/> (JSON objects) and the
    /// alias's other fields (<paramref name="fields"/>, e.g. <c>"resume":"prefill"</c>), plus any other settings.</summary>
    protected GatewayFactory Start(string[] deployments, string fields = "", params (string Name, string Value)[] settings)
    {
        var all = new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = Token,
            ["ABSTRACTCORE_MODEL_ALIASES"] = $$$"""{"{{{Alias}}}": {"deployments": [{{{string.Join(", ", deployments)}}}]{{{(fields.Length == 0 ? "" : ", " + fields)}}}}}""",
        };
        foreach (var (name, value) in settings)
        {
            all[name] = value;
        }

        Factory = new GatewayFactory(all);
        return Factory;
    }

    /// <summary>A deployment named <paramref name="name"/> on <paramref name="baseUrl"/> (model <c>openai-compatible/model-{name}</c>),
    /// with more fields in <paramref name="fields"/> (e.g. <c>"weight": 0</c>).</summary>
    protected static string Deployment(string name, Uri baseUrl, string fields = "") => Deployment(name, baseUrl.ToString(), fields);

    protected static string Deployment(string name, string baseUrl, string fields = "") =>
        $$"""{"name": "{{name}}", "model": "openai-compatible/model-{{name}}", "base_url": "{{baseUrl}}"{{(fields.Length == 0 ? "" : ", " + fields)}}}""";

    /// <summary>A chat completions body for the alias.</summary>
    protected static string ChatBody(bool stream, string content = "hi", bool includeUsage = false)
    {
        var extra = new JsonObject { ["stream"] = stream };
        if (includeUsage)
        {
            extra["stream_options"] = new JsonObject { ["include_usage"] = true };
        }

        return Wire.Chat(Alias, extra, ("user", content));
    }

    /// <summary>Posts a chat completion, streamed or not; returns the response and its whole body.</summary>
    protected static async Task<(HttpResponseMessage Response, string Text)> PostChatAsync(HttpClient http, bool stream, string content = "hi")
    {
        var response = await http.PostAsync("/v1/chat/completions", Wire.Json(ChatBody(stream, content)));
        return (response, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The text a chat answer carries: the message's content, or a stream's content deltas joined.</summary>
    protected static string AnswerText(string body, bool stream)
    {
        if (!stream)
        {
            return (string?)JsonNode.Parse(body)?["choices"]?[0]?["message"]?["content"] ?? "";
        }

        return string.Concat(Events(body).Where(e => e != "[DONE]")
            .Select(e => (string?)Choice(JsonNode.Parse(e))?["delta"]?["content"] ?? ""));
    }

    /// <summary>A chunk's first choice; null for a usage chunk, whose choices are empty.</summary>
    protected static JsonNode? Choice(JsonNode? chunk) => chunk?["choices"] is JsonArray { Count: > 0 } choices ? choices[0] : null;

    /// <summary>Every <c>data:</c> payload of an SSE body.</summary>
    protected static List<string> Events(string body) =>
        [.. body.Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal)).Select(l => l[6..].TrimEnd('\r'))];

    protected static string? Header(HttpResponseMessage response, string name) => Wire.Header(response, name);

    protected static int Chats(FakeOpenAIUpstream fake) => fake.ChatRequestCount;
}

using System.Net;
using System.Text.Json.Nodes;
using AbstractCore.Blocs;
using AbstractCore.Inference.Tests.Infrastructure;
using AbstractCore.TinyModels;

namespace AbstractCore.Inference.Tests.Gateway;

/// <summary>
/// The specification's typical direct flow through the Api: <c>models/load</c> → <c>blocs/upsert_text</c> →
/// <c>blocs/kv/ensure</c> → <c>blocs/kv/load</c> → a chat carrying the returned <c>prompt_cache_binding</c>; then both
/// services restart on the same folders and the bloc is bound again without being compiled again.
/// </summary>
public sealed class BlocFlowTests : IDisposable
{
    private const string Question = "What orbits what?";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "acore-blocflow-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task The_direct_flow_answers_from_the_blocs_reused_tokens_and_survives_a_restart_of_both_services()
    {
        var inferenceSettings = new Dictionary<string, string?> { [InferenceSettings.BlocArtifactsDirVariable] = Path.Combine(_root, "kv") };
        var gatewaySettings = new Dictionary<string, string?> { [BlocStores.FolderVariable] = Path.Combine(_root, "blocs") };
        var text = Blocs.Blocs.Text("orbits");
        string sha256;
        JsonNode binding;

        await using (var inference = await InferenceHost.StartAsync(inferenceSettings))
        await using (var gateway = new GatewayHost(inference.V1, gatewaySettings))
        {
            using var http = gateway.Http();
            await OkAsync(http, "/acore/models/load", new JsonObject { ["provider"] = "onnx", ["model"] = "tiny" });

            var upsert = await OkAsync(http, "/acore/blocs/upsert_text", new JsonObject { ["path"] = "notes/orbits.md", ["content"] = text });
            sha256 = (string)upsert["record"]!["sha256"]!;

            var ensure = await OkAsync(http, "/acore/blocs/kv/ensure", Selector(sha256));
            Assert.True((bool)ensure["artifact"]!["compiled"]!);

            var load = await OkAsync(http, "/acore/blocs/kv/load", Load(sha256));
            Assert.False((bool)load["artifact"]!["compiled"]!); // ensure already compiled it
            binding = load["artifact"]!["prompt_cache_binding"]!;
            await AnswersFromTheBlocAsync(http, text, binding);

            var stats = (await GetAsync(http, "/acore/prompt_cache/stats?provider=onnx&model=tiny"))["stats"]!;
            Assert.True((int)stats["reused_tokens"]! >= Blocs.Blocs.Tokens(text), stats.ToJsonString());
        }

        await using var restartedInference = await InferenceHost.StartAsync(inferenceSettings);
        await using var restartedGateway = new GatewayHost(restartedInference.V1, gatewaySettings);
        using var again = restartedGateway.Http();
        var record = await GetAsync(again, "/acore/blocs/record?sha256=" + sha256);
        Assert.Equal("notes/orbits.md", (string?)record["record"]!["path"]);

        // The key died with the first Inference process: Inference's 409 reaches the client through the gateway.
        var (missing, refusal) = await Wire.PostAsync(again, "/v1/chat/completions", Blocs.Blocs.Chat("onnx/tiny", text, binding, Question));
        Assert.Equal(HttpStatusCode.Conflict, missing.StatusCode);
        Assert.Equal("prompt_cache_binding_missing", (string?)refusal!["error"]!["code"]);

        var reload = await OkAsync(again, "/acore/blocs/kv/load", Load(sha256));
        Assert.False((bool)reload["artifact"]!["compiled"]!);
        await AnswersFromTheBlocAsync(again, text, reload["artifact"]!["prompt_cache_binding"]!);

        // The bloc is bound in live keys: deleting it is refused until they are cleared with it.
        var (refused, conflict) = await Wire.PostAsync(again, "/acore/blocs/delete", new JsonObject { ["sha256"] = sha256 }.ToJsonString());
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains(conflict!["live_bindings"]!.AsArray(), b => (string?)b!["key"] == "work:orbits");
        await OkAsync(again, "/acore/blocs/delete", new JsonObject { ["sha256"] = sha256, ["clear_loaded"] = true });
        var (gone, _) = await Wire.GetAsync(again, "/acore/blocs/record?sha256=" + sha256);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        var (_, artifacts) = await Wire.GetAsync(again, "/acore/blocs/kv/list?provider=onnx&model=tiny");
        Assert.Empty(artifacts!["artifacts"]!.AsArray());
    }

    private static JsonObject Selector(string sha256) => new() { ["provider"] = "onnx", ["model"] = "tiny", ["sha256"] = sha256 };

    private static JsonObject Load(string sha256)
    {
        var body = Selector(sha256);
        body["stable_cache_key"] = "stable:orbits";
        body["key"] = "work:orbits";
        return body;
    }

    private static async Task AnswersFromTheBlocAsync(HttpClient http, string bloc, JsonNode binding)
    {
        Assert.Equal("work:orbits", (string?)binding["key"]);
        var (response, chat) = await Wire.PostAsync(http, "/v1/chat/completions", Blocs.Blocs.Chat("onnx/tiny", bloc, binding, Question));
        Assert.True(response.StatusCode == HttpStatusCode.OK, chat?.ToJsonString());
        Assert.Equal(TinyVocabulary.ChatAnswer, (string?)chat!["choices"]![0]!["message"]!["content"]);
    }

    private static async Task<JsonNode> OkAsync(HttpClient http, string path, JsonObject body)
    {
        var (response, reply) = await Wire.PostAsync(http, path, body.ToJsonString());
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {reply?.ToJsonString()}");
        return reply!;
    }

    private static async Task<JsonNode> GetAsync(HttpClient http, string pathAndQuery)
    {
        var (response, reply) = await Wire.GetAsync(http, pathAndQuery);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{pathAndQuery}: {(int)response.StatusCode} {reply?.ToJsonString()}");
        return reply!;
    }
}

using System.Net.Sockets;
using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;

namespace AbstractCore.Api.Tests.Blocs;

/// <summary>
/// <c>/acore/blocs/kv/*</c> in direct mode, at the HTTP boundary with a fake Inference service: the bloc is read from the
/// gateway's store and sent with its text, sha256 and bloc_id; Inference's answer comes back as it was; other
/// providers, unknown blocs, no Inference or an unreachable one are refused.
/// </summary>
public sealed class BlocKvRoutesTests(BlocsFixture fx) : IClassFixture<BlocsFixture>
{
    [Theory]
    [InlineData("ensure", "kv_ensure")]
    [InlineData("load", "kv_load")]
    public async Task Ensure_and_load_send_the_blocs_text_sha256_and_bloc_id_to_inference(string route, string operation)
    {
        var text = "Orbit notes " + Guid.NewGuid();
        var record = await fx.UpsertAsync(text);
        using var http = fx.Http();

        var (response, answer) = await Wire.PostAsync(http, "/acore/blocs/kv/" + route, $$"""
            {"provider": "onnx", "model": "tiny-chat", "bloc_id": {{record["bloc_id"]}}, "force_rebuild": true, "key": "work:x"}
            """);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(operation, (string?)answer!["operation"]);
        Assert.Equal(record["sha256"]!.ToString(), (string?)answer["artifact"]!["sha256"]);
        var sent = fx.Inference.Calls.Last(c => c.Path == "/acore/blocs/kv/" + route).Body!;
        Assert.Equal(text, (string?)sent["text"]);
        Assert.Equal((string?)record["sha256"], (string?)sent["sha256"]);
        Assert.Equal((long)record["bloc_id"]!, (long)sent["bloc_id"]!);
        Assert.Equal("tiny-chat", (string?)sent["model"]);
        Assert.True((bool)sent["force_rebuild"]!);
        Assert.Equal("work:x", (string?)sent["key"]);
        Assert.Null(sent["provider"]);
    }

    [Fact]
    public async Task A_model_named_onnx_slash_model_and_a_sha256_select_the_same_way()
    {
        var record = await fx.UpsertAsync();
        using var http = fx.Http();

        var (response, _) = await Wire.PostAsync(http, "/acore/blocs/kv/ensure",
            $$"""{"model": "onnx/tiny-chat", "sha256": " {{record["sha256"]!.ToString().ToUpperInvariant()}} "}""");

        Assert.Equal(200, (int)response.StatusCode);
        var sent = fx.Inference.Calls.Last(c => c.Path == "/acore/blocs/kv/ensure").Body!;
        Assert.Equal("tiny-chat", (string?)sent["model"]);
        Assert.Equal((string?)record["sha256"], (string?)sent["sha256"]);
        Assert.Equal((long)record["bloc_id"]!, (long)sent["bloc_id"]!);
    }

    [Fact]
    public async Task Manifest_and_list_go_to_inference_as_queries_with_the_blocs_sha256()
    {
        var record = await fx.UpsertAsync();
        var sha = (string)record["sha256"]!;
        using var http = fx.Http();

        var (manifest, manifestAnswer) = await Wire.GetAsync(http, $"/acore/blocs/kv/manifest?provider=onnx&model=tiny-chat&bloc_id={record["bloc_id"]}");
        var (list, listAnswer) = await Wire.GetAsync(http, "/acore/blocs/kv/list");

        Assert.Equal(200, (int)manifest.StatusCode);
        Assert.Equal(sha, (string?)manifestAnswer!["manifest"]!["sha256"]);
        var query = fx.Inference.Calls.Last(c => c.Path == "/acore/blocs/kv/manifest").Query;
        Assert.Contains("model=tiny-chat", query, StringComparison.Ordinal);
        Assert.Contains("sha256=" + sha, query, StringComparison.Ordinal);
        Assert.DoesNotContain("text=", query, StringComparison.Ordinal);
        Assert.Equal(200, (int)list.StatusCode);
        Assert.Equal("kv_list", (string?)listAnswer!["operation"]);
    }

    [Fact]
    public async Task Kv_delete_and_prune_pass_inferences_409_with_its_live_bindings()
    {
        var record = await fx.UpsertAsync();
        var sha = (string)record["sha256"]!;
        fx.Inference.LiveBindings[sha] = [new JsonObject { ["key"] = "work:k", ["binding_id"] = "bind_k", ["sha256"] = sha }];
        using var http = fx.Http();

        var (delete, deleteAnswer) = await Wire.PostAsync(http, "/acore/blocs/kv/delete", $$"""{"provider": "onnx", "model": "tiny-chat", "sha256": "{{sha}}"}""");
        var (prune, pruneAnswer) = await Wire.PostAsync(http, "/acore/blocs/kv/prune", $$"""{"sha256": "{{sha}}", "dry_run": true}""");
        var (forced, forcedAnswer) = await Wire.PostAsync(http, "/acore/blocs/kv/delete", $$"""{"provider": "onnx", "model": "tiny-chat", "sha256": "{{sha}}", "force": true}""");

        BlocsRoutesTests.AssertRefused(409, "kv_delete", "matching bloc KV artifact may be loaded in a live prompt-cache key", delete, deleteAnswer);
        Assert.Equal("bind_k", (string?)Assert.Single(deleteAnswer!["live_bindings"]!.AsArray())!["binding_id"]);
        BlocsRoutesTests.AssertRefused(409, "kv_prune", "matching bloc KV artifacts may be loaded in live prompt-cache keys", prune, pruneAnswer);
        Assert.Equal(200, (int)forced.StatusCode);
        Assert.Equal("kv_delete", (string?)forcedAnswer!["operation"]);
    }

    [Fact]
    public async Task A_sha256_whose_bloc_is_gone_still_reaches_its_artifacts_for_delete_and_prune()
    {
        var sha = new string('7', 64);
        using var http = fx.Http();

        var (response, _) = await Wire.PostAsync(http, "/acore/blocs/kv/prune", $$"""{"sha256": "{{sha}}"}""");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(sha, (string?)fx.Inference.Calls.Last(c => c.Path == "/acore/blocs/kv/prune").Body!["sha256"]);
    }

    [Theory]
    [InlineData("ensure")]
    [InlineData("load")]
    public async Task An_unknown_bloc_is_a_404_and_inference_is_not_called(string route)
    {
        using var http = fx.Http();
        var before = fx.Inference.Calls.Count;

        var (byId, byIdAnswer) = await Wire.PostAsync(http, "/acore/blocs/kv/" + route, """{"provider": "onnx", "model": "tiny-chat", "bloc_id": 876543}""");
        var (bySha, byShaAnswer) = await Wire.PostAsync(http, "/acore/blocs/kv/" + route, $$"""{"provider": "onnx", "model": "tiny-chat", "sha256": "{{new string('8', 64)}}"}""");

        BlocsRoutesTests.AssertRefused(404, "kv_" + route, "bloc not found", byId, byIdAnswer);
        BlocsRoutesTests.AssertRefused(404, "kv_" + route, "bloc not found", bySha, byShaAnswer);
        Assert.Equal(before, fx.Inference.Calls.Count);
    }

    [Theory]
    [InlineData("ensure", "openai", "gpt-4o-mini")]
    [InlineData("load", "ollama", "qwen3")]
    [InlineData("prune", "anthropic", "claude")]
    public async Task Another_provider_has_no_local_KV_runtime(string route, string provider, string model)
    {
        using var http = fx.Http();

        var (response, answer) = await Wire.PostAsync(http, "/acore/blocs/kv/" + route, $$"""{"provider": "{{provider}}", "model": "{{model}}", "bloc_id": 1}""");

        BlocsRoutesTests.AssertRefused(400, "kv_" + route,
            $"provider '{provider}' has no local KV runtime; bloc KV artifacts are served by onnx/<model> or, with base_url, by an upstream AbstractEndpoint",
            response, answer);
        Assert.Equal("prompt_cache_unsupported", (string?)answer!["code"]);
    }

    [Theory]
    [InlineData("""{"bloc_id": 1}""", "runtime_id or provider+model (or base_url for an upstream AbstractEndpoint) is required")]
    [InlineData("""{"provider": "onnx", "model": "tiny-chat"}""", "sha256 or bloc_id is required")]
    [InlineData("""{"provider": "onnx", "model": "tiny-chat", "bloc_id": "one"}""", "'bloc_id' must be a positive integer.")]
    [InlineData("""{"provider": 7, "model": "tiny-chat", "bloc_id": 1}""", "'provider' must be a string.")]
    [InlineData("""{"provider": "onnx", "model": "tiny-chat", "bloc_id": 1, "api_key": "x"}""", AbstractCore.Media.BodyRules.ApiKeyMessage)]
    public async Task Bad_kv_input_is_a_400(string body, string error)
    {
        using var http = fx.Http();

        var (response, answer) = await Wire.PostAsync(http, "/acore/blocs/kv/ensure", body);

        BlocsRoutesTests.AssertRefused(400, "kv_ensure", error, response, answer);
    }

    [Fact]
    public async Task Without_an_inference_service_the_answer_is_the_prompt_cache_routes_404()
    {
        var folder = Directory.CreateTempSubdirectory("acore-blocs-noinf-").FullName;
        try
        {
            await using var gateway = new GatewayFactory(new Dictionary<string, string?>
            {
                ["ABSTRACTCORE_AUTH_TOKEN"] = GatewayFixture.Token,
                ["ABSTRACTCORE_BLOCS_DIR"] = folder,
            });
            using var http = gateway.Http(GatewayFixture.Token);
            var (_, upserted) = await Wire.PostAsync(http, "/acore/blocs/upsert_text", """{"path": "a.md", "content": "no runtime here"}""");

            var (response, answer) = await Wire.PostAsync(http, "/acore/blocs/kv/ensure",
                $$"""{"provider": "onnx", "model": "tiny-chat", "bloc_id": {{upserted!["record"]!["bloc_id"]}}}""");
            var (list, listAnswer) = await Wire.GetAsync(http, "/acore/blocs/kv/list");
            var (delete, deleteAnswer) = await Wire.PostAsync(http, "/acore/blocs/delete", """{"bloc_id": 1}""");

            BlocsRoutesTests.AssertRefused(404, "kv_ensure", AbstractCore.Api.ControlPlane.ControlPlaneForwarder.RuntimeNotFound, response, answer);
            Assert.Equal(200, (int)list.StatusCode);
            Assert.Empty(listAnswer!["artifacts"]!.AsArray());
            Assert.Equal(200, (int)delete.StatusCode); // no Inference, no artifacts to keep the bloc
            Assert.Equal(true, (bool?)deleteAnswer!["deleted"]);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task An_unreachable_inference_service_is_a_502()
    {
        var folder = Directory.CreateTempSubdirectory("acore-blocs-down-").FullName;
        try
        {
            await using var gateway = new GatewayFactory(new Dictionary<string, string?>
            {
                ["ABSTRACTCORE_AUTH_TOKEN"] = GatewayFixture.Token,
                ["ABSTRACTCORE_BLOCS_DIR"] = folder,
                ["ABSTRACTCORE_INFERENCE_URL"] = $"http://127.0.0.1:{ClosedPort()}/v1",
            });
            using var http = gateway.Http(GatewayFixture.Token);
            var (_, upserted) = await Wire.PostAsync(http, "/acore/blocs/upsert_text", """{"path": "a.md", "content": "runtime down"}""");
            var id = upserted!["record"]!["bloc_id"];

            var (response, answer) = await Wire.PostAsync(http, "/acore/blocs/kv/load", $$"""{"provider": "onnx", "model": "tiny-chat", "bloc_id": {{id}}}""");
            var (delete, deleteAnswer) = await Wire.PostAsync(http, "/acore/blocs/delete", $$"""{"bloc_id": {{id}}}""");
            var (still, _) = await Wire.GetAsync(http, $"/acore/blocs/record?bloc_id={id}");

            Assert.Equal(502, (int)response.StatusCode);
            Assert.StartsWith("Could not reach the local inference service", (string?)answer!["error"], StringComparison.Ordinal);
            Assert.Equal(502, (int)delete.StatusCode); // its artifacts cannot be checked: the bloc stays
            Assert.Equal("delete", (string?)deleteAnswer!["operation"]);
            Assert.Equal(200, (int)still.StatusCode);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>A loopback port nothing listens on (taken, then released).</summary>
    internal static int ClosedPort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}

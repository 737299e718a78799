using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;

namespace AbstractCore.Api.Tests.Blocs;

/// <summary>
/// Proxy mode (spec 9.3): with <c>base_url</c> every bloc route goes to an upstream AbstractEndpoint, here a second
/// gateway on real Kestrel with its own bloc store, server token and (fake) Inference service. The remote flow runs end
/// to end through both; the local store stays untouched.
/// </summary>
public sealed class BlocsProxyTests : IAsyncLifetime
{
    private const string UpstreamToken = "upstream-server-token";
    private readonly string _localFolder = Directory.CreateTempSubdirectory("acore-blocs-local-").FullName;
    private readonly string _upstreamFolder = Directory.CreateTempSubdirectory("acore-blocs-upstream-").FullName;
    private FakeInference _inference = null!;
    private GatewayFactory _upstream = null!;
    private GatewayFactory _gateway = null!;
    private string _root = "";

    /// <summary>The upstream's base_url as a client gives it, with <c>/v1</c> (dropped by the gateway).</summary>
    private string BaseUrl => _root + "/v1";

    public async Task InitializeAsync()
    {
        _inference = await FakeInference.StartAsync();
        var port = BlocKvRoutesTests.ClosedPort();
        _root = $"http://127.0.0.1:{port}";
        _upstream = Gateway(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = UpstreamToken,
            ["ABSTRACTCORE_BLOCS_DIR"] = _upstreamFolder,
            ["ABSTRACTCORE_INFERENCE_URL"] = _inference.Root,
            ["URLS"] = _root,
        });
        _upstream.UseKestrel();
        _upstream.StartServer();
        _gateway = Gateway(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = GatewayFixture.Token,
            ["ABSTRACTCORE_BLOCS_DIR"] = _localFolder,
        });
    }

    /// <summary>Both gateways are disposed in <see cref="DisposeAsync"/>.</summary>
    private static GatewayFactory Gateway(Dictionary<string, string?> settings) => new(settings);

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
        await _inference.DisposeAsync();
        Directory.Delete(_localFolder, recursive: true);
        Directory.Delete(_upstreamFolder, recursive: true);
    }

    /// <summary>A client of the local gateway whose provider key is the upstream's server token.</summary>
    private HttpClient Http(string? providerKey = UpstreamToken)
    {
        var http = _gateway.Http(GatewayFixture.Token);
        if (providerKey is not null)
        {
            http.DefaultRequestHeaders.Add("X-AbstractCore-Provider-API-Key", providerKey);
        }

        return http;
    }

    [Fact]
    public async Task The_remote_flow_upsert_ensure_load_runs_on_the_upstream_and_each_answer_names_it()
    {
        using var http = Http();
        var text = "Remote bloc " + Guid.NewGuid();

        var (upsert, upserted) = await Wire.PostAsync(http, "/acore/blocs/upsert_text",
            new JsonObject { ["base_url"] = BaseUrl, ["path"] = "docs/remote.md", ["content"] = text }.ToJsonString());
        var record = upserted!["record"]!;
        var (id, sha) = ((long)record["bloc_id"]!, (string)record["sha256"]!);
        var (ensure, ensured) = await Wire.PostAsync(http, "/acore/blocs/kv/ensure",
            $$"""{"base_url": "{{BaseUrl}}", "provider": "onnx", "model": "tiny-chat", "bloc_id": {{id}}}""");
        var (load, loaded) = await Wire.PostAsync(http, "/acore/blocs/kv/load",
            $$"""{"base_url": "{{BaseUrl}}", "provider": "onnx", "model": "tiny-chat", "sha256": "{{sha}}", "key": "work:remote"}""");
        var (list, listed) = await Wire.GetAsync(http, $"/acore/blocs?base_url={Uri.EscapeDataString(BaseUrl)}&sha256={sha}");
        var (local, localList) = await Wire.GetAsync(http, "/acore/blocs");

        Assert.Equal(200, (int)upsert.StatusCode);
        Assert.Equal(_root + "/acore/blocs/upsert_text", (string?)upserted["upstream"]);
        Assert.Equal(200, (int)ensure.StatusCode);
        Assert.Equal("kv_ensure", (string?)ensured!["operation"]);
        Assert.Equal(_root + "/acore/blocs/kv/ensure", (string?)ensured["upstream"]);
        Assert.Equal(200, (int)load.StatusCode);
        Assert.Equal("bind_" + sha[..8], (string?)loaded!["artifact"]!["binding_id"]);
        // The upstream looked the bloc up in its own store and sent its text to its Inference service.
        var sent = _inference.Calls.Last(c => c.Path == "/acore/blocs/kv/ensure").Body!;
        Assert.Equal(text, (string?)sent["text"]);
        Assert.Equal(id, (long)sent["bloc_id"]!);
        Assert.Equal("work:remote", (string?)_inference.Calls.Last(c => c.Path == "/acore/blocs/kv/load").Body!["key"]);
        Assert.Equal(200, (int)list.StatusCode);
        Assert.Equal(sha, (string?)Assert.Single(listed!["records"]!.AsArray())!["sha256"]);
        Assert.Empty(localList!["records"]!.AsArray());
        Assert.Equal(200, (int)local.StatusCode);
    }

    [Fact]
    public async Task Record_and_delete_go_upstream_and_its_404_comes_back_with_its_status()
    {
        using var http = Http();
        var (_, upserted) = await Wire.PostAsync(http, "/acore/blocs/upsert_text",
            new JsonObject { ["base_url"] = BaseUrl, ["path"] = "a.md", ["content"] = "to delete " + Guid.NewGuid() }.ToJsonString());
        var id = (long)upserted!["record"]!["bloc_id"]!;

        var (record, recorded) = await Wire.GetAsync(http, $"/acore/blocs/record?base_url={Uri.EscapeDataString(BaseUrl)}&bloc_id={id}");
        var (delete, deleted) = await Wire.PostAsync(http, "/acore/blocs/delete", $$"""{"base_url": "{{BaseUrl}}", "bloc_id": {{id}}}""");
        var (gone, goneAnswer) = await Wire.GetAsync(http, $"/acore/blocs/record?base_url={Uri.EscapeDataString(BaseUrl)}&bloc_id={id}");

        Assert.Equal(200, (int)record.StatusCode);
        Assert.Equal(id, (long)recorded!["record"]!["bloc_id"]!);
        Assert.Equal(200, (int)delete.StatusCode);
        Assert.Equal(true, (bool?)deleted!["deleted"]);
        BlocsRoutesTests.AssertRefused(404, "record", "bloc not found", gone, goneAnswer);
        Assert.Equal(_root + "/acore/blocs/record", (string?)goneAnswer!["upstream"]);
    }

    [Fact]
    public async Task The_upstreams_refusals_keep_their_status_400_and_409()
    {
        using var http = Http();
        var (_, upserted) = await Wire.PostAsync(http, "/acore/blocs/upsert_text",
            new JsonObject { ["base_url"] = BaseUrl, ["path"] = "b.md", ["content"] = "bound " + Guid.NewGuid() }.ToJsonString());
        var sha = (string)upserted!["record"]!["sha256"]!;
        _inference.LiveBindings[sha] = [new JsonObject { ["key"] = "work:r", ["binding_id"] = "bind_r", ["sha256"] = sha }];

        var (missing, missingAnswer) = await Wire.PostAsync(http, "/acore/blocs/upsert_text", $$"""{"base_url": "{{BaseUrl}}", "path": "c.md"}""");
        var (live, liveAnswer) = await Wire.PostAsync(http, "/acore/blocs/delete", $$"""{"base_url": "{{BaseUrl}}", "sha256": "{{sha}}"}""");

        BlocsRoutesTests.AssertRefused(400, "upsert_text", "content is required", missing, missingAnswer);
        Assert.Equal(_root + "/acore/blocs/upsert_text", (string?)missingAnswer!["upstream"]);
        BlocsRoutesTests.AssertRefused(409, "delete", "bloc has loaded KV artifacts in live prompt-cache keys", live, liveAnswer);
        Assert.Equal("bind_r", (string?)Assert.Single(liveAnswer!["live_bindings"]!.AsArray())!["binding_id"]);
    }

    [Fact]
    public async Task The_provider_key_header_is_the_upstreams_bearer_and_without_it_the_upstream_answers_401()
    {
        using var withKey = Http("Bearer " + UpstreamToken);
        using var without = Http(providerKey: null);
        var path = $"/acore/blocs?base_url={Uri.EscapeDataString(BaseUrl)}";

        var (ok, _) = await Wire.GetAsync(withKey, path);
        var (refused, refusal) = await Wire.GetAsync(without, path);

        Assert.Equal(200, (int)ok.StatusCode);
        Assert.Equal(401, (int)refused.StatusCode);
        Assert.Equal("authentication_error", (string?)refusal!["error"]!["type"]);
        Assert.Equal(_root + "/acore/blocs", (string?)refusal["upstream"]);
    }

    [Theory]
    [InlineData("POST", "/acore/blocs/upsert_text")]
    [InlineData("GET", "/acore/blocs/kv/list")]
    [InlineData("POST", "/acore/blocs/kv/prune")]
    public async Task A_base_url_outside_the_policy_is_a_403_and_nothing_is_sent(string method, string path)
    {
        using var http = Http();
        var before = _inference.Calls.Count;
        const string Refused = "http://10.255.255.1:8001/v1";

        var (response, answer) = method == "GET"
            ? await Wire.GetAsync(http, $"{path}?base_url={Uri.EscapeDataString(Refused)}")
            : await Wire.PostAsync(http, path, $$"""{"base_url": "{{Refused}}", "path": "a.md", "content": "x"}""");

        Assert.Equal(403, (int)response.StatusCode);
        Assert.Equal(false, (bool?)answer!["ok"]);
        Assert.Contains("Request-level base_url overrides are restricted", (string?)answer["error"], StringComparison.Ordinal);
        Assert.Equal(before, _inference.Calls.Count);
    }

    [Fact]
    public async Task An_upstream_that_does_not_answer_is_a_502_naming_it()
    {
        using var http = Http();
        var closed = $"http://127.0.0.1:{BlocKvRoutesTests.ClosedPort()}";

        var (response, answer) = await Wire.PostAsync(http, "/acore/blocs/kv/ensure",
            $$"""{"base_url": "{{closed}}/v1", "provider": "onnx", "model": "tiny-chat", "bloc_id": 1}""");

        Assert.Equal(502, (int)response.StatusCode);
        Assert.Equal(false, (bool?)answer!["ok"]);
        Assert.Equal("kv_ensure", (string?)answer["operation"]);
        Assert.StartsWith("Could not reach the upstream AbstractEndpoint", (string?)answer["error"], StringComparison.Ordinal);
        Assert.Equal(closed + "/acore/blocs/kv/ensure", (string?)answer["upstream"]);
    }
}

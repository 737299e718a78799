using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;
using AbstractCore.TestKit.FakeMedia;

namespace AbstractCore.Api.Tests.Media;

public sealed class CapabilityDefaultsTests(MediaFixture fx) : IClassFixture<MediaFixture>
{
    private const string Tts = "/v1/config/capability-defaults/output/audio/tts";

    [Fact]
    public async Task Defaults_are_set_partially_persisted_in_the_config_file_used_and_cleared()
    {
        using var http = fx.Http();

        var (put, body) = await Json.SendAsync(http, HttpMethod.Put, Tts, """{"provider":"openai-compatible","model":"kokoro","options":{"speed":1}}""");
        Assert.Equal(200, (int)put.StatusCode);
        Assert.Equal(fx.ConfigFile, (string?)body!["config_file"]);
        var route = body["routes"]!.AsArray().Single(r => (string?)r!["key"] == "output.audio.tts")!;
        Assert.Equal("openai-compatible", (string?)route["provider"]);
        Assert.True((bool)route["configured"]!);

        // Stored as the original keeps it, next to whatever else the file holds.
        var file = JsonNode.Parse(await File.ReadAllTextAsync(fx.ConfigFile))!;
        Assert.Equal("kokoro", (string?)file["capability_defaults"]!["routes"]!["output.audio.tts"]!["model"]);
        Assert.Equal(1, (int)file["capability_defaults"]!["version"]!);

        // A speech request without a model uses it.
        var (speech, _) = await Json.PostAsync(http, "/v1/audio/speech", """{"input":"Hi"}""");
        Assert.Equal(200, (int)speech.StatusCode);
        Assert.Equal("kokoro", (string?)fx.Upstream.Last("/audio/speech").Json!["model"]);

        // Partial: omitted keeps, "" clears, {} clears the options.
        (_, body) = await Json.SendAsync(http, HttpMethod.Put, Tts, """{"model":"piper","base_url":null}""");
        route = body!["routes"]!.AsArray().Single(r => (string?)r!["key"] == "output.audio.tts")!;
        Assert.Equal("openai-compatible", (string?)route["provider"]);
        Assert.Equal("piper", (string?)route["model"]);
        Assert.Equal(1, (int)route["options"]!["speed"]!);
        (_, body) = await Json.SendAsync(http, HttpMethod.Put, Tts, """{"model":"","options":{}}""");
        route = body!["routes"]!.AsArray().Single(r => (string?)r!["key"] == "output.audio.tts")!;
        Assert.Null(route["model"]);
        Assert.Empty(route["options"]!.AsObject());

        var (delete, deleted) = await Json.SendAsync(http, HttpMethod.Delete, Tts);
        Assert.Equal(200, (int)delete.StatusCode);
        Assert.DoesNotContain(deleted!["routes"]!.AsArray(), r => (string?)r!["key"] == "output.audio.tts");
        Json.AssertError(await Json.PostAsync(http, "/v1/audio/speech", """{"input":"Hi"}"""), 501, "has no backend configured");
    }

    [Fact]
    public async Task A_route_default_serves_its_tasks_and_embeddings()
    {
        using var http = fx.Http();
        await Json.SendAsync(http, HttpMethod.Put, "/v1/config/capability-defaults/embedding/text", """{"provider":"ollama","model":"nomic-embed-text"}""");

        var (response, body) = await Json.PostAsync(http, "/v1/embeddings", """{"input":"hello"}""");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("ollama/nomic-embed-text", (string?)body!["model"]);
        var (list, listed) = await Json.GetAsync(http, "/v1/config/capability-defaults");
        Assert.Equal(200, (int)list.StatusCode);
        Assert.True((bool)listed!["ok"]!);
        Assert.Equal("abstractcore.server", (string?)listed["authority"]);
        Assert.Empty(listed["errors"]!.AsArray());
        await Json.SendAsync(http, HttpMethod.Delete, "/v1/config/capability-defaults/embedding/text");
    }

    [Theory]
    [InlineData("/v1/config/capability-defaults/sideways/audio", """{"model":"x"}""", "Unknown capability kind 'sideways'")]
    [InlineData("/v1/config/capability-defaults/output/smell", """{"model":"x"}""", "Unknown capability modality 'smell'")]
    [InlineData("/v1/config/capability-defaults/output/audio/bad task!", """{"model":"x"}""", "The task must be")]
    [InlineData("/v1/config/capability-defaults/output/audio", """{"modle":"x"}""", "Unknown field 'modle'")]
    [InlineData("/v1/config/capability-defaults/output/audio", """{"api_key":"sk-1"}""", "api_key fields are disabled")]
    [InlineData("/v1/config/capability-defaults/output/audio", """{"options":[1]}""", "'options' must be a JSON object")]
    [InlineData("/v1/config/capability-defaults/output/audio", """{"base_url":"ftp://x"}""", "base_url must be an absolute http(s) URL")]
    [InlineData("/v1/config/capability-defaults/output/audio", """{"model":5}""", "'model' must be a string.")]
    public async Task Invalid_updates_are_400s(string path, string json, string message)
    {
        using var http = fx.Http();
        Json.AssertError(await Json.SendAsync(http, HttpMethod.Put, path, json), 400, message);
    }
}

/// <summary>With a <c>cache</c> connection string the defaults live in Redis: one replica's PUT serves the other's request.</summary>
public sealed class CapabilityDefaultsRedisTests : IAsyncLifetime
{
    private readonly RedisServerFixture _redis = new();
    private FakeMediaUpstream _upstream = null!;
    private GatewayFactory _a = null!;
    private GatewayFactory _b = null!;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _upstream = await FakeMediaUpstream.StartAsync();
        GatewayFactory Replica() => new(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = MediaFixture.Token,
            ["OPENAI_COMPATIBLE_BASE_URL"] = _upstream.BaseUrl.AbsoluteUri,
            ["ConnectionStrings:cache"] = _redis.ConnectionString,
            ["ABSTRACTCORE_CONFIG_FILE"] = Path.Combine(Path.GetTempPath(), "acore-never-" + Guid.NewGuid().ToString("N"), "abstractcore.json"),
        });
        (_a, _b) = (Replica(), Replica());
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _upstream.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task A_default_set_on_one_replica_serves_the_other()
    {
        using var a = _a.Http(MediaFixture.Token);
        using var b = _b.Http(MediaFixture.Token);

        var (put, body) = await Json.SendAsync(a, HttpMethod.Put, "/v1/config/capability-defaults/input/audio", """{"model":"openai-compatible/whisper-x"}""");
        Assert.Equal(200, (int)put.StatusCode);
        Assert.Equal("redis", (string?)body!["source"]);
        Assert.Null(body["config_file"]);

        using var form = Json.Form([1, 2, 3, 4]);
        var (response, transcript) = await Json.PostFormAsync(b, "/v1/audio/transcriptions", form);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(_upstream.Transcript, (string?)transcript!["text"]);
        Assert.Equal("whisper-x", (string?)_upstream.Last("/audio/transcriptions").Json!["model"]);

        await Json.SendAsync(b, HttpMethod.Delete, "/v1/config/capability-defaults/input/audio");
        var (_, listed) = await Json.GetAsync(a, "/v1/config/capability-defaults");
        Assert.Empty(listed!["routes"]!.AsArray());
    }
}

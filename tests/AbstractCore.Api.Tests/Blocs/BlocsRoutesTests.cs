using System.Text.Json.Nodes;

namespace AbstractCore.Api.Tests.Blocs;

/// <summary>
/// <c>/acore/blocs</c>, <c>/record</c>, <c>/upsert_text</c> and <c>/delete</c> in direct mode (spec 9.3): the answers,
/// the selector rules, and every refusal as <c>{"ok":false,"operation","error"}</c>.
/// </summary>
public sealed class BlocsRoutesTests(BlocsFixture fx) : IClassFixture<BlocsFixture>
{
    [Fact]
    public async Task Upsert_answers_the_record_with_the_contents_sha256_and_a_bloc_id()
    {
        using var http = fx.Http();
        var (response, body) = await Wire.PostAsync(http, "/acore/blocs/upsert_text", """
            {"path": "docs/orbit.md", "content": "The orbit is 400 km high.", "format": "markdown", "estimated_tokens": 8,
             "summary": "Orbit", "keywords": ["orbit", "station"], "relpath_base": "/srv/docs", "mtime_ns": 1764000000000000001}
            """);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(true, (bool?)body!["ok"]);
        Assert.Equal("upsert_text", (string?)body["operation"]);
        var record = body["record"]!;
        var sha = BlocStoreContract.Hash("The orbit is 400 km high.");
        Assert.Equal(sha, (string?)record["sha256"]);
        Assert.Equal(sha, (string?)record["content_sha256"]);
        Assert.True((long)record["bloc_id"]! > 0);
        Assert.Equal("docs/orbit.md", (string?)record["path"]);
        Assert.Equal("text", (string?)record["media_type"]);
        Assert.Equal(25, (long)record["size_bytes"]!);
        Assert.Equal(1764000000000000001, (long)record["mtime_ns"]!);
        Assert.Equal("markdown", (string?)record["format"]);
        Assert.Equal(8, (long)record["estimated_tokens"]!);
        Assert.Equal("/srv/docs", (string?)record["relpath_base"]);
        Assert.Equal("""["orbit","station"]""", record["keywords"]!.ToJsonString());
    }

    [Fact]
    public async Task A_second_upsert_of_the_same_text_keeps_the_bloc_id()
    {
        var text = "again " + Guid.NewGuid();
        var first = await fx.UpsertAsync(text);
        var second = await fx.UpsertAsync(text);

        Assert.Equal((long)first["bloc_id"]!, (long)second["bloc_id"]!);
    }

    [Fact]
    public async Task List_and_record_find_a_bloc_by_sha256_trimmed_and_lower_cased_or_by_bloc_id()
    {
        var record = await fx.UpsertAsync();
        var (sha, id) = ((string)record["sha256"]!, (long)record["bloc_id"]!);
        using var http = fx.Http();

        var (_, all) = await Wire.GetAsync(http, "/acore/blocs");
        var (_, bySha) = await Wire.GetAsync(http, $"/acore/blocs/record?sha256=%20{sha.ToUpperInvariant()}%20");
        var (_, byId) = await Wire.GetAsync(http, $"/acore/blocs/record?bloc_id={id}");
        var (_, listed) = await Wire.GetAsync(http, $"/acore/blocs?bloc_id={id}");
        // sha256 first: a bloc_id naming another bloc is not looked at.
        var (_, both) = await Wire.GetAsync(http, $"/acore/blocs/record?sha256={sha}&bloc_id=999999");

        Assert.Equal("list", (string?)all!["operation"]);
        Assert.Contains(all["records"]!.AsArray(), r => (string?)r!["sha256"] == sha);
        Assert.Equal("record", (string?)bySha!["operation"]);
        Assert.Equal(id, (long)bySha["record"]!["bloc_id"]!);
        Assert.Equal(sha, (string?)byId!["record"]!["sha256"]);
        Assert.Equal(sha, (string?)Assert.Single(listed!["records"]!.AsArray())!["sha256"]);
        Assert.Equal(id, (long)both!["record"]!["bloc_id"]!);
    }

    [Theory]
    [InlineData("""{"path": "a.md"}""", "content is required")]
    [InlineData("""{"path": "a.md", "content": ""}""", "content is required")]
    [InlineData("""{"content": "text"}""", "path is required")]
    [InlineData("""{"path": "a.md", "content": 5}""", "'content' must be a string.")]
    [InlineData("""{"path": ["a.md"], "content": "text"}""", "'path' must be a string.")]
    [InlineData("""{"path": "a.md", "content": "text", "sha256": "xyz"}""", "'sha256' must be 64 hexadecimal characters.")]
    [InlineData("""{"path": "a.md", "content": "text", "content_sha256": "0000000000000000000000000000000000000000000000000000000000000000"}""",
        "'content_sha256' does not match the sha256 of content.")]
    [InlineData("""{"path": "a.md", "content": "text", "size_bytes": -1}""", "'size_bytes' must be a non-negative integer.")]
    [InlineData("""{"path": "a.md", "content": "text", "mtime_ns": 1.5}""", "'mtime_ns' must be a non-negative integer.")]
    [InlineData("""{"path": "a.md", "content": "text", "keywords": [1, 2]}""", "'keywords' must be an array of strings.")]
    [InlineData("""[1, 2]""", "The request body must be a JSON object.")]
    [InlineData("""{"path": "a.md", "content": "text", "api_key": "sk-x"}""", AbstractCore.Media.BodyRules.ApiKeyMessage)]
    public async Task Bad_upsert_input_is_a_400_in_the_control_plane_envelope(string body, string error)
    {
        using var http = fx.Http();
        var (response, answer) = await Wire.PostAsync(http, "/acore/blocs/upsert_text", body);

        AssertRefused(400, "upsert_text", error, response, answer);
    }

    [Theory]
    [InlineData("/acore/blocs/record?bloc_id=abc", "record", "'bloc_id' must be a positive integer.")]
    [InlineData("/acore/blocs/record?bloc_id=0", "record", "'bloc_id' must be a positive integer.")]
    [InlineData("/acore/blocs?bloc_id=-3", "list", "'bloc_id' must be a positive integer.")]
    [InlineData("/acore/blocs/record?sha256=nothex", "record", "'sha256' must be 64 hexadecimal characters.")]
    [InlineData("/acore/blocs/record", "record", "sha256 or bloc_id is required")]
    public async Task A_bad_selector_is_a_400(string path, string operation, string error)
    {
        using var http = fx.Http();
        var (response, answer) = await Wire.GetAsync(http, path);

        AssertRefused(400, operation, error, response, answer);
    }

    [Fact]
    public async Task An_unknown_bloc_is_a_404_bloc_not_found()
    {
        using var http = fx.Http();
        var (record, recordAnswer) = await Wire.GetAsync(http, "/acore/blocs/record?bloc_id=987654");
        var (delete, deleteAnswer) = await Wire.PostAsync(http, "/acore/blocs/delete", $$"""{"sha256": "{{new string('9', 64)}}"}""");

        AssertRefused(404, "record", "bloc not found", record, recordAnswer);
        AssertRefused(404, "delete", "bloc not found", delete, deleteAnswer);
    }

    [Fact]
    public async Task A_delete_removes_the_record_and_prunes_its_KV_artifacts_in_inference()
    {
        var record = await fx.UpsertAsync();
        var sha = (string)record["sha256"]!;
        using var http = fx.Http();

        var (response, answer) = await Wire.PostAsync(http, "/acore/blocs/delete", $$"""{"bloc_id": {{record["bloc_id"]}}}""");
        var (after, _) = await Wire.GetAsync(http, "/acore/blocs/record?sha256=" + sha);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(true, (bool?)answer!["deleted"]);
        Assert.Equal(sha, (string?)answer["record"]!["sha256"]);
        Assert.Equal(404, (int)after.StatusCode);
        var prunes = fx.Inference.Calls.Where(c => c.Path == "/acore/blocs/kv/prune" && (string?)c.Body!["sha256"] == sha).ToList();
        Assert.Equal([true, false], prunes.Select(p => (bool)p.Body!["dry_run"]!));
    }

    [Fact]
    public async Task A_delete_with_live_bindings_is_a_409_naming_them_and_keeps_the_bloc()
    {
        var record = await fx.UpsertAsync();
        var sha = (string)record["sha256"]!;
        fx.Inference.LiveBindings[sha] = [new JsonObject { ["key"] = "work:a", ["binding_id"] = "bind_1", ["model"] = "tiny-chat", ["sha256"] = sha }];
        using var http = fx.Http();

        var (response, answer) = await Wire.PostAsync(http, "/acore/blocs/delete", $$"""{"sha256": "{{sha}}"}""");
        var (dryRun, dryAnswer) = await Wire.PostAsync(http, "/acore/blocs/delete", $$"""{"sha256": "{{sha}}", "dry_run": true}""");
        var (still, _) = await Wire.GetAsync(http, "/acore/blocs/record?sha256=" + sha);

        AssertRefused(409, "delete", "bloc has loaded KV artifacts in live prompt-cache keys", response, answer);
        Assert.Equal("bind_1", (string?)Assert.Single(answer!["live_bindings"]!.AsArray())!["binding_id"]);
        AssertRefused(409, "delete", "bloc has loaded KV artifacts in live prompt-cache keys", dryRun, dryAnswer);
        Assert.Equal(200, (int)still.StatusCode);
        Assert.DoesNotContain(fx.Inference.Calls, c => c.Path == "/acore/blocs/kv/prune" && (string?)c.Body!["sha256"] == sha && !(bool)c.Body["dry_run"]!);
    }

    [Theory]
    [InlineData("clear_loaded")]
    [InlineData("force")]
    public async Task Clear_loaded_or_force_deletes_a_bloc_with_live_bindings(string flag)
    {
        var record = await fx.UpsertAsync();
        var sha = (string)record["sha256"]!;
        fx.Inference.LiveBindings[sha] = [new JsonObject { ["key"] = "work:b", ["binding_id"] = "bind_2", ["sha256"] = sha }];
        using var http = fx.Http();

        var (response, answer) = await Wire.PostAsync(http, "/acore/blocs/delete", $$"""{"sha256": "{{sha}}", "{{flag}}": true}""");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(true, (bool?)answer!["deleted"]);
        Assert.Equal("bind_2", (string?)Assert.Single(answer["live_bindings"]!.AsArray())!["binding_id"]);
        var prune = fx.Inference.Calls.Last(c => c.Path == "/acore/blocs/kv/prune" && (string?)c.Body!["sha256"] == sha);
        Assert.False((bool)prune.Body!["dry_run"]!);
        Assert.True((bool)prune.Body[flag]!);
        Assert.False(fx.Inference.LiveBindings.ContainsKey(sha));
    }

    [Fact]
    public async Task A_dry_run_reports_without_changing_anything()
    {
        var record = await fx.UpsertAsync();
        var sha = (string)record["sha256"]!;
        fx.Inference.LiveBindings[sha] = [new JsonObject { ["key"] = "work:c", ["binding_id"] = "bind_3", ["sha256"] = sha }];
        using var http = fx.Http();

        var (response, answer) = await Wire.PostAsync(http, "/acore/blocs/delete", $$"""{"sha256": "{{sha}}", "dry_run": true, "clear_loaded": true}""");
        var (still, _) = await Wire.GetAsync(http, "/acore/blocs/record?sha256=" + sha);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(false, (bool?)answer!["deleted"]);
        Assert.Equal(true, (bool?)answer["dry_run"]);
        Assert.Equal("bind_3", (string?)Assert.Single(answer["live_bindings"]!.AsArray())!["binding_id"]);
        Assert.Equal(200, (int)still.StatusCode);
        Assert.True(fx.Inference.LiveBindings.ContainsKey(sha));
        Assert.All(fx.Inference.Calls.Where(c => (string?)c.Body?["sha256"] == sha), c => Assert.True((bool)c.Body!["dry_run"]!));
    }

    [Fact]
    public async Task A_bloc_whose_artifacts_inference_does_not_find_is_still_deleted()
    {
        var record = await fx.UpsertAsync();
        var sha = (string)record["sha256"]!;
        fx.Inference.NoArtifacts[sha] = true;
        using var http = fx.Http();

        var (response, answer) = await Wire.PostAsync(http, "/acore/blocs/delete", $$"""{"sha256": "{{sha}}"}""");
        var (after, _) = await Wire.GetAsync(http, "/acore/blocs/record?sha256=" + sha);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(true, (bool?)answer!["deleted"]);
        Assert.Empty(answer["live_bindings"]!.AsArray());
        Assert.Equal(404, (int)after.StatusCode);
    }

    [Fact]
    public async Task Delete_kv_false_leaves_inference_alone()
    {
        var record = await fx.UpsertAsync();
        var sha = (string)record["sha256"]!;
        using var http = fx.Http();

        var (response, answer) = await Wire.PostAsync(http, "/acore/blocs/delete", $$"""{"sha256": "{{sha}}", "delete_kv": false}""");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(true, (bool?)answer!["deleted"]);
        Assert.DoesNotContain(fx.Inference.Calls, c => (string?)c.Body?["sha256"] == sha);
    }

    [Theory]
    [InlineData("""{"bloc_id": 1, "dry_run": "maybe"}""", "'dry_run' must be a boolean.")]
    [InlineData("""{"bloc_id": true}""", "'bloc_id' must be a positive integer.")]
    [InlineData("""{"bloc_id": 1.5}""", "'bloc_id' must be a positive integer.")]
    [InlineData("""{"sha256": 12}""", "'sha256' must be a string.")]
    [InlineData("""{}""", "sha256 or bloc_id is required")]
    [InlineData("""{"bloc_id": 1, "base_url": 8000}""", "'base_url' must be a string.")]
    public async Task Bad_delete_input_is_a_400(string body, string error)
    {
        using var http = fx.Http();
        var (response, answer) = await Wire.PostAsync(http, "/acore/blocs/delete", body);

        AssertRefused(400, "delete", error, response, answer);
    }

    internal static void AssertRefused(int status, string operation, string error, HttpResponseMessage response, JsonNode? answer)
    {
        Assert.True(status == (int)response.StatusCode, $"expected {status}, got {(int)response.StatusCode}: {answer?.ToJsonString()}");
        Assert.Equal(false, (bool?)answer!["ok"]);
        Assert.Equal(operation, (string?)answer["operation"]);
        Assert.Equal(error, (string?)answer["error"]);
    }
}

using System.Net;
using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;

namespace AbstractCore.Api.Tests.Models;

/// <summary>
/// The <c>task</c> of <c>/acore/models/load|loaded|unload</c> (specification section 10): aliases normalised (any case,
/// <c>-</c> as <c>_</c>), an unknown task a 400 naming it, a task the target cannot serve a 400; the local runtime gets
/// the canonical name. The fake upstream stands in for the local inference service and records what reaches it.
/// </summary>
public sealed class ResidencyTaskTests(InferenceGatewayFixture fx) : IClassFixture<InferenceGatewayFixture>
{
    [Theory]
    [InlineData(null, "text_generation")]
    [InlineData("Chat-Completions", "text_generation")]
    [InlineData("LLM", "text_generation")]
    [InlineData("T2I", "image_generation")]
    [InlineData("edit-image", "image_to_image")]
    [InlineData("super_resolution", "image_upscale")]
    [InlineData("video", "video_generation")]
    [InlineData("t2v", "text_to_video")]
    [InlineData("I2V", "image_to_video")]
    [InlineData("Text-To-Speech", "tts")]
    [InlineData("audio_transcriptions", "stt")]
    [InlineData("text-embedding", "embedding")]
    public async Task Task_aliases_are_normalised_in_the_runtime_row(string? task, string expected)
    {
        using var http = fx.Http();
        var body = new JsonObject { ["provider"] = "openai", ["model"] = "m" };
        if (task is not null)
        {
            body["task"] = task;
        }

        var (response, json) = await Wire.PostAsync(http, "/acore/models/load", body.ToJsonString());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, (string?)json!["runtime"]!["task"]);
        Assert.Equal(expected, (string?)json["affected_models"]![0]!["task"]);
    }

    [Fact]
    public async Task An_unknown_task_is_a_400_naming_it_on_every_residency_route()
    {
        using var http = fx.Http();
        var before = fx.Upstream.Requests.Count;

        var load = await Wire.PostAsync(http, "/acore/models/load", """{"task":"painting","provider":"onnx","model":"m"}""");
        var loaded = await Wire.GetAsync(http, "/acore/models/loaded?task=Painting");
        var unload = await Wire.PostAsync(http, "/acore/models/unload", """{"task":"painting","provider":"onnx","model":"m"}""");

        Assert.Equal(HttpStatusCode.BadRequest, load.Response.StatusCode);
        Assert.Equal("Unknown model residency task: painting", (string?)load.Body!["error"]!["message"]);
        Assert.Equal("task", (string?)load.Body["error"]!["param"]);
        Assert.Equal(HttpStatusCode.BadRequest, loaded.Response.StatusCode);
        Assert.Equal("Unknown model residency task: Painting", (string?)loaded.Body!["error"]!["message"]);
        Assert.Equal(HttpStatusCode.BadRequest, unload.Response.StatusCode);
        Assert.Equal(before, fx.Upstream.Requests.Count);
    }

    [Theory]
    [InlineData("onnx", "image")]
    [InlineData("onnx", "embedding")]
    [InlineData("anthropic", "tts")]
    [InlineData("anthropic", "embeddings")]
    [InlineData("ollama", "t2i")]
    [InlineData("openai", "music")]
    [InlineData("openai", "scene3d")]
    public async Task A_load_whose_task_the_target_cannot_serve_is_a_400(string provider, string task)
    {
        using var http = fx.Http();
        var before = fx.Upstream.Requests.Count;

        var (response, json) = await Wire.PostAsync(http, "/acore/models/load", $$"""{"task":"{{task}}","provider":"{{provider}}","model":"m"}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("unsupported_task", (string?)json!["error"]!["code"]);
        Assert.Equal("task", (string?)json["error"]!["param"]);
        Assert.Equal(before, fx.Upstream.Requests.Count);
    }

    [Fact]
    public async Task The_local_runtime_gets_the_canonical_task()
    {
        using var http = fx.Http();

        await Wire.PostAsync(http, "/acore/models/load", """{"task":"Chat","provider":"onnx","model":"fake-model"}""");
        var load = fx.Upstream.Requests[^1];
        await Wire.GetAsync(http, "/acore/models/loaded?task=completion");
        var loaded = fx.Upstream.Requests[^1];
        await Wire.PostAsync(http, "/acore/models/unload", """{"task":"text","model":"onnx/fake-model"}""");
        var unload = fx.Upstream.Requests[^1];

        Assert.Equal("/acore/models/load", load.Path);
        Assert.Equal("text_generation", (string?)JsonNode.Parse(load.Body)!["task"]);
        Assert.Equal("fake-model", (string?)JsonNode.Parse(load.Body)!["model"]);
        Assert.Equal("/acore/models/loaded", loaded.Path); // an alias of text generation is listed by the runtime
        Assert.Equal("/acore/models/unload", unload.Path);
        Assert.Equal("text_generation", (string?)JsonNode.Parse(unload.Body)!["task"]);
    }

    [Fact]
    public async Task Listing_a_task_local_models_do_not_serve_shows_no_local_rows()
    {
        using var http = fx.Http();
        var before = fx.Upstream.Requests.Count;

        var (response, json) = await Wire.GetAsync(http, "/acore/models/loaded?task=tts");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("list_loaded", (string?)json!["operation"]);
        Assert.Empty(json["data"]!.AsArray());
        Assert.Equal(before, fx.Upstream.Requests.Count);
    }
}

using System.Net;
using AbstractCore.Inference.Residency;
using AbstractCore.Inference.Tests.Infrastructure;
using AbstractCore.TinyModels;

namespace AbstractCore.Inference.Tests.Residency;

public sealed class ResidencyTests : IAsyncLifetime
{
    private InferenceHost _host = null!;

    private HttpClient Http => _host.Http;

    public async Task InitializeAsync() => _host = await InferenceHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Load_reports_a_verified_resident_runtime_and_loaded_new_only_the_first_time()
    {
        var (response, first) = await Wire.PostAsync(Http, "acore/models/load", """{"provider":"onnx","model":"tiny"}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((bool)first!["ok"]!);
        Assert.True((bool)first["loaded_new"]!);
        var runtime = first["runtime"]!;
        Assert.Equal(ModelResidency.RuntimeId("tiny"), (string?)runtime["runtime_id"]);
        Assert.Equal(16, ((string)runtime["runtime_id"]!).Length);
        Assert.True((bool)runtime["loaded"]!);
        Assert.True((bool)runtime["pinned"]!);
        Assert.True((bool)runtime["provider_residency_verified"]!);
        Assert.True((bool)runtime["provider_resident"]!);
        Assert.Equal("provider_loaded", (string?)runtime["state"]);

        var (_, second) = await Wire.PostAsync(Http, "acore/models/load", """{"model":"onnx/tiny"}""");
        Assert.False((bool)second!["loaded_new"]!);
        Assert.True((bool)second["runtime"]!["loaded"]!);
    }

    [Fact]
    public async Task A_model_loads_lazily_on_first_use_and_is_listed()
    {
        var (_, before) = await Wire.GetAsync(Http, "acore/models/loaded");
        Assert.Empty(before!["data"]!.AsArray());

        await Wire.PostAsync(Http, "v1/chat/completions", Wire.Chat("tiny", ("user", "Hi")));

        var (response, after) = await Wire.GetAsync(Http, "acore/models/loaded");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("list_loaded", (string?)after!["operation"]);
        var row = Assert.Single(after["data"]!.AsArray())!;
        Assert.Equal("tiny", (string?)row["model"]);
        Assert.False((bool)row["pinned"]!);
        Assert.Equal(1, (int)row["request_count"]!);
    }

    [Fact]
    public async Task Unload_frees_the_model_and_the_next_request_loads_it_again()
    {
        await Wire.PostAsync(Http, "acore/models/load", """{"model":"tiny"}""");

        var (response, unloaded) = await Wire.PostAsync(Http, "acore/models/unload", $$"""{"runtime_id":"{{ModelResidency.RuntimeId("tiny")}}"}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((bool)unloaded!["unloaded"]!);
        Assert.False((bool)unloaded["runtime"]!["loaded"]!);
        Assert.Equal("unloaded", (string?)unloaded["runtime"]!["state"]);
        Assert.Empty(_host.Service<ModelResidency>().Loaded);

        var (_, again) = await Wire.PostAsync(Http, "acore/models/unload", """{"model":"tiny"}""");
        Assert.Equal("runtime_not_found", (string?)again!["error"]!["code"]);

        var (_, chat) = await Wire.PostAsync(Http, "v1/chat/completions", Wire.Chat("tiny", ("user", "Hi")));
        Assert.Equal(TinyVocabulary.ChatAnswer, (string?)chat!["choices"]![0]!["message"]!["content"]);
        Assert.Single(_host.Service<ModelResidency>().Loaded);
    }

    [Theory]
    [InlineData("acore/models/load", """{"model":"missing"}""", 404)]
    [InlineData("acore/models/load", """{}""", 400)]
    [InlineData("acore/models/load", """{"task":"image","model":"tiny"}""", 400)]
    [InlineData("acore/models/load", """{"provider":"openai","model":"tiny"}""", 400)]
    [InlineData("acore/models/unload", """{}""", 400)]
    [InlineData("acore/models/unload", """{"model":"tiny"}""", 404)]
    public async Task Bad_residency_requests_are_refused(string path, string json, int status)
    {
        var (response, body) = await Wire.PostAsync(Http, path, json);

        Assert.Equal((HttpStatusCode)status, response.StatusCode);
        Assert.NotNull(body!["error"]!["message"]);
    }
}

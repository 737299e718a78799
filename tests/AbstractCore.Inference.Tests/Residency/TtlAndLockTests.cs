using System.Net;
using AbstractCore.Inference.Residency;
using AbstractCore.Inference.Tests.Infrastructure;
using AbstractCore.TinyModels;

namespace AbstractCore.Inference.Tests.Residency;

/// <summary><c>ttl_s</c> (idle time before the model leaves memory) and <c>lock</c> (no unload without <c>force</c>) on load.</summary>
public sealed class TtlAndLockTests : IAsyncLifetime
{
    private readonly ManualTime _time = new();
    private InferenceHost _host = null!;

    private HttpClient Http => _host.Http;

    private ModelResidency Residency => _host.Service<ModelResidency>();

    public async Task InitializeAsync() => _host = await InferenceHost.StartAsync(time: _time);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_model_loaded_with_ttl_s_leaves_memory_after_that_long_idle_and_the_next_use_loads_it_again()
    {
        var (_, load) = await Wire.PostAsync(Http, "acore/models/load", """{"model":"tiny","ttl_s":60}""");
        Assert.Equal(60, (double)load!["runtime"]!["ttl_s"]!);

        _time.Advance(TimeSpan.FromSeconds(30));
        var (_, chat) = await Wire.PostAsync(Http, "v1/chat/completions", Wire.Chat("tiny", ("user", "Hi")));
        Assert.Equal(TinyVocabulary.ChatAnswer, (string?)chat!["choices"]![0]!["message"]!["content"]);

        // The request restarted the idle clock: 59 s after it the model is still there.
        _time.Advance(TimeSpan.FromSeconds(59));
        var (_, listed) = await Wire.GetAsync(Http, "acore/models/loaded");
        Assert.Single(listed!["data"]!.AsArray());

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, Residency.UnloadIdle()); // what the background sweep does every few seconds
        var (_, after) = await Wire.GetAsync(Http, "acore/models/loaded");
        Assert.Empty(after!["data"]!.AsArray());

        var (_, reloaded) = await Wire.PostAsync(Http, "acore/models/load", """{"model":"tiny"}""");
        Assert.True((bool)reloaded!["loaded_new"]!);
        Assert.Null(reloaded["runtime"]!["ttl_s"]);
    }

    [Fact]
    public async Task The_loaded_list_never_shows_a_model_past_its_ttl()
    {
        await Wire.PostAsync(Http, "acore/models/load", """{"model":"tiny","ttl_s":5}""");
        _time.Advance(TimeSpan.FromSeconds(6));

        var (_, listed) = await Wire.GetAsync(Http, "acore/models/loaded");

        Assert.Empty(listed!["data"]!.AsArray());
        Assert.Empty(Residency.Loaded);
    }

    [Fact]
    public async Task A_pinned_model_without_ttl_stays_however_long_it_is_idle()
    {
        await Wire.PostAsync(Http, "acore/models/load", """{"model":"tiny"}""");
        _time.Advance(TimeSpan.FromDays(3));

        Assert.Equal(0, Residency.UnloadIdle());
        var (_, listed) = await Wire.GetAsync(Http, "acore/models/loaded");
        Assert.True((bool)Assert.Single(listed!["data"]!.AsArray())!["pinned"]!);
    }

    [Fact]
    public async Task A_locked_model_refuses_unload_without_force_and_outlives_its_ttl()
    {
        var (_, load) = await Wire.PostAsync(Http, "acore/models/load", """{"model":"tiny","lock":true,"ttl_s":1}""");
        Assert.True((bool)load!["runtime"]!["locked"]!);
        Assert.True((bool)load["runtime"]!["lockable"]!);

        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(0, Residency.UnloadIdle());

        var (refused, error) = await Wire.PostAsync(Http, "acore/models/unload", """{"model":"tiny"}""");
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("model_locked", (string?)error!["error"]!["code"]);
        Assert.Contains("\"force\": true", (string?)error["error"]!["message"], StringComparison.Ordinal);
        Assert.Single(Residency.Loaded);

        var (forced, unloaded) = await Wire.PostAsync(Http, "acore/models/unload", """{"model":"tiny","force":true}""");
        Assert.Equal(HttpStatusCode.OK, forced.StatusCode);
        Assert.True((bool)unloaded!["unloaded"]!);
        Assert.Empty(Residency.Loaded);
    }

    [Theory]
    [InlineData("""{"model":"tiny","ttl_s":0}""")]
    [InlineData("""{"model":"tiny","ttl_s":-5}""")]
    [InlineData("""{"model":"tiny","ttl_s":"soon"}""")]
    [InlineData("""{"model":"tiny","ttl_s":1e12}""")]
    public async Task A_bad_ttl_s_is_a_400_naming_it(string json)
    {
        var (response, body) = await Wire.PostAsync(Http, "acore/models/load", json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("ttl_s", (string?)body!["error"]!["param"]);
        Assert.Empty(Residency.Loaded);
    }
}

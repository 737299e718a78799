using AbstractCore.Api.Tests.Infrastructure;
using AbstractCore.TestKit.FakeMedia;

namespace AbstractCore.Api.Tests.Routes;

/// <summary>
/// A gateway where every body route's example reaches a fake: chat and Responses (<c>openai/*</c>,
/// <c>openai-compatible/*</c>) go to a fake OpenAI upstream, music to a fake media server; capability defaults land in
/// a temporary config file. <see cref="UpstreamCalls"/> counts what reached any fake, so a test can tell a request
/// that was refused at the door from one that was sent.
/// </summary>
public sealed class RoutesFixture : IAsyncLifetime
{
    private readonly string _configDir = Directory.CreateTempSubdirectory("acore-routes-").FullName;

    public FakeOpenAIUpstream Upstream { get; private set; } = null!;
    public FakeMediaUpstream Media { get; private set; } = null!;
    public GatewayFactory Gateway { get; private set; } = null!;

    /// <summary>Every body route's example from the gateway's OpenAPI document, by route.</summary>
    public IReadOnlyDictionary<ApiRoute, RouteExample> Examples { get; private set; } = null!;

    public int UpstreamCalls => Upstream.Requests.Count + Media.Requests.Count;

    public async Task InitializeAsync()
    {
        Upstream = await FakeOpenAIUpstream.StartAsync();
        Media = await FakeMediaUpstream.StartAsync();
        Media.AudioBytes = 1024; // finished music jobs keep their audio (until their TTL): small, so the fuzz's memory bound is about bodies
        Gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = GatewayFixture.Token,
            ["OPENAI_BASE_URL"] = Upstream.BaseUrl.AbsoluteUri,
            ["OPENAI_API_KEY"] = "upstream-key",
            ["OPENAI_COMPATIBLE_BASE_URL"] = Upstream.BaseUrl.AbsoluteUri,
            ["OPENAI_COMPATIBLE_API_KEY"] = "upstream-key",
            ["ACEMUSIC_BASE_URL"] = Media.BaseUrl.AbsoluteUri,
            ["ABSTRACTCORE_MUSIC_BASE_URL"] = Media.BaseUrl.AbsoluteUri,
            ["ABSTRACTCORE_JOBS_RETRIES"] = "0",
            ["ABSTRACTCORE_CONFIG_FILE"] = Path.Combine(_configDir, "abstractcore.json"),
        });
        using var http = Http();
        Examples = await RouteExample.LoadAsync(http, ApiRoutes.WithBody);
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Upstream.DisposeAsync();
        await Media.DisposeAsync();
        Directory.Delete(_configDir, recursive: true);
    }

    public HttpClient Http() => Gateway.Http(GatewayFixture.Token);
}

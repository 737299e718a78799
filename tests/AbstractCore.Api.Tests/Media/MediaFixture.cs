using System.ClientModel;
using System.ClientModel.Primitives;
using AbstractCore.Api.Tests.Infrastructure;
using AbstractCore.TestKit.FakeMedia;
using AbstractCore.TestKit.FakeOllama;
using OpenAI;
using OpenAI.Audio;
using OpenAI.Embeddings;

namespace AbstractCore.Api.Tests.Media;

/// <summary>
/// A fake OpenAI-compatible media server (embeddings, speech, transcriptions, voice clone, music) and a fake Ollama on
/// real Kestrel, and a gateway routing <c>openai-compatible/*</c> and <c>acemusic</c> to the first and <c>ollama/*</c>
/// to the second, with a 100 000-byte audio upload limit and capability defaults in a temporary config file.
/// </summary>
public sealed class MediaFixture : IAsyncLifetime
{
    public const string Token = "test-server-token";
    public const string UpstreamKey = "upstream-key";
    public const string AceMusicKey = "ace-music-key";
    public const int MaxUploadBytes = 100_000;

    private readonly string _configDir = Path.Combine(Path.GetTempPath(), "acore-media-" + Guid.NewGuid().ToString("N"));

    public FakeMediaUpstream Upstream { get; private set; } = null!;
    public FakeOllamaUpstream Ollama { get; private set; } = null!;
    public GatewayFactory Gateway { get; private set; } = null!;

    public string ConfigFile => Path.Combine(_configDir, "abstractcore.json");

    public async Task InitializeAsync()
    {
        Upstream = await FakeMediaUpstream.StartAsync();
        Ollama = await FakeOllamaUpstream.StartAsync();
        Gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = Token,
            ["OPENAI_COMPATIBLE_BASE_URL"] = Upstream.BaseUrl.AbsoluteUri,
            ["OPENAI_COMPATIBLE_API_KEY"] = UpstreamKey,
            ["OLLAMA_BASE_URL"] = Ollama.BaseUrl,
            ["ACEMUSIC_BASE_URL"] = Upstream.BaseUrl.AbsoluteUri,
            ["ACEMUSIC_API_KEY"] = AceMusicKey,
            ["ABSTRACTCORE_SERVER_AUDIO_MAX_BYTES"] = MaxUploadBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ABSTRACTCORE_CONFIG_FILE"] = ConfigFile,
            // These tests own a private config file, so the server may use it.
            ["ABSTRACTCORE_SERVER_DISABLE_CENTRALIZED_CONFIG"] = "0",
        });
        _ = Gateway.Server;
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Upstream.DisposeAsync();
        await Ollama.DisposeAsync();
        if (Directory.Exists(_configDir))
        {
            Directory.Delete(_configDir, recursive: true);
        }
    }

    public HttpClient Http() => Gateway.Http(Token);

    public EmbeddingClient Embeddings(string model) => new(model, new ApiKeyCredential(Token), Options());

    public AudioClient Audio(string model) => new(model, new ApiKeyCredential(Token), Options());

    private OpenAIClientOptions Options() => new()
    {
        Endpoint = new Uri(Gateway.Server.BaseAddress, "v1"),
        Transport = new HttpClientPipelineTransport(Gateway.CreateClient()),
        RetryPolicy = new ClientRetryPolicy(0),
    };
}

/// <summary>A gateway with no media backend at all: every media route must say what to configure (501), never 500.</summary>
public sealed class BareGatewayFixture : IAsyncLifetime
{
    private readonly string _configDir = Path.Combine(Path.GetTempPath(), "acore-bare-" + Guid.NewGuid().ToString("N"));

    public GatewayFactory Gateway { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = MediaFixture.Token,
            ["ABSTRACTCORE_CONFIG_FILE"] = Path.Combine(_configDir, "abstractcore.json"),
        });
        _ = Gateway.Server;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        if (Directory.Exists(_configDir))
        {
            Directory.Delete(_configDir, recursive: true);
        }
    }

    public HttpClient Http() => Gateway.Http(MediaFixture.Token);
}

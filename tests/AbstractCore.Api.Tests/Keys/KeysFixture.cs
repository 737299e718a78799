using System.Net;
using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;

namespace AbstractCore.Api.Tests.Keys;

/// <summary>
/// A gateway with virtual keys kept in a keys file, a fake OpenAI-compatible upstream, and a price table that makes
/// <c>fake-model</c> dear (1,000 USD per million tokens: the fake's default answer, 11 + 7 tokens, costs 0.018 USD).
/// </summary>
public sealed class KeysFixture : IAsyncLifetime
{
    public const decimal PerMTok = 1000m;

    private readonly string _home = Path.Combine(Path.GetTempPath(), "acore-keys-test-" + Guid.NewGuid().ToString("N"));

    public FakeOpenAIUpstream Upstream { get; private set; } = null!;
    public GatewayFactory Gateway { get; private set; } = null!;
    public string KeysFile => Path.Combine(_home, "keys.json");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_home);
        var prices = Path.Combine(_home, "prices.json");
        await File.WriteAllTextAsync(prices, """{"version":1,"models":{"fake-model":{"input_per_mtok":1000,"output_per_mtok":1000}}}""");
        Upstream = await FakeOpenAIUpstream.StartAsync();
        Gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = GatewayFixture.Token,
            ["OPENAI_COMPATIBLE_BASE_URL"] = Upstream.BaseUrl.AbsoluteUri,
            ["ABSTRACTCORE_KEYS_FILE"] = KeysFile,
            ["ABSTRACTCORE_PRICES_FILE"] = prices,
        });
        _ = Gateway.Server;
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Upstream.DisposeAsync();
        Directory.Delete(_home, recursive: true);
    }

    public HttpClient Admin() => Gateway.Http(GatewayFixture.Token);

    public HttpClient As(string key) => Gateway.Http(key);

    /// <summary>Creates a key with <paramref name="fields"/> (a JSON object's members) and returns (id, secret).</summary>
    public Task<(string Id, string Secret)> CreateKeyAsync(string fields = "") => KeyAdmin.CreateAsync(Admin(), fields);
}

/// <summary>Calls of <c>/acore/keys</c> and <c>/acore/spend</c> the key tests share.</summary>
public static class KeyAdmin
{
    public static async Task<(string Id, string Secret)> CreateAsync(HttpClient admin, string fields)
    {
        var name = "k-" + Guid.NewGuid().ToString("N")[..8];
        var (response, body) = await Wire.PostAsync(admin, "/acore/keys", $$"""{"name":"{{name}}"{{(fields.Length > 0 ? "," + fields : "")}}}""");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return ((string)body!["id"]!, (string)body["key"]!);
    }

    /// <summary>The key's spend rows summed: <c>GET /acore/spend?key_id=…&amp;group_by=key</c>.</summary>
    public static async Task<JsonNode?> SpendAsync(HttpClient admin, string id)
    {
        var (response, body) = await Wire.GetAsync(admin, $"/acore/spend?key_id={id}&group_by=key");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return body!["data"]!.AsArray().SingleOrDefault();
    }
}

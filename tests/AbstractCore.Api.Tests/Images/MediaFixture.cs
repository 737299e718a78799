using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;
using OpenAI;
using OpenAI.Images;

namespace AbstractCore.Api.Tests.Images;

/// <summary>
/// A fake media upstream and a standalone gateway (no Redis, no RabbitMQ: jobs run in process) that routes
/// <c>openai-compatible/*</c> images and videos and the music endpoint to it. Job retries are quick.
/// </summary>
public sealed class MediaFixture : IAsyncLifetime
{
    public const string Token = GatewayFixture.Token;
    public const string UpstreamKey = "media-upstream-key";

    private readonly string _configDir = Directory.CreateTempSubdirectory("acore-vision-config-").FullName;

    public FakeVisionUpstream Upstream { get; private set; } = null!;
    public GatewayFactory Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Upstream = await FakeVisionUpstream.StartAsync();
        Gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = Token,
            ["OPENAI_COMPATIBLE_BASE_URL"] = Upstream.BaseUrl.AbsoluteUri,
            ["OPENAI_COMPATIBLE_API_KEY"] = UpstreamKey,
            ["ABSTRACTCORE_MUSIC_BASE_URL"] = Upstream.BaseUrl.AbsoluteUri,
            ["ABSTRACTCORE_JOBS_RETRIES"] = "2",
            ["ABSTRACTCORE_JOBS_RETRY_MIN_S"] = "0.05",
            ["ABSTRACTCORE_JOBS_RETRY_MAX_S"] = "0.2",
            ["ABSTRACTCORE_CONFIG_FILE"] = Path.Combine(_configDir, "abstractcore.json"), // capability defaults land here
        });
        _ = Gateway.Server;
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Upstream.DisposeAsync();
        Directory.Delete(_configDir, recursive: true);
    }

    public HttpClient Http() => Gateway.Http(Token);

    /// <summary>The official OpenAI .NET SDK's image client pointed at the gateway, without retries.</summary>
    public ImageClient Images(string model) => new(model, new ApiKeyCredential(Token), new OpenAIClientOptions
    {
        Endpoint = new Uri(Gateway.Server.BaseAddress, "v1"),
        Transport = new HttpClientPipelineTransport(Gateway.CreateClient()),
        RetryPolicy = new ClientRetryPolicy(0),
    });

    /// <summary>The last upstream request to a path ending with <paramref name="suffix"/>.</summary>
    public RecordedRequest Last(string suffix) => Upstream.Requests.Last(r => r.Path.EndsWith(suffix, StringComparison.Ordinal));

    public static MultipartFormDataContent Form(params (string Name, object Value)[] parts)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, value) in parts)
        {
            if (value is byte[] bytes)
            {
                var file = new ByteArrayContent(bytes);
                file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
                form.Add(file, name, name + ".png");
            }
            else
            {
                form.Add(new StringContent((string)value), name);
            }
        }

        return form;
    }

    public static async Task<(HttpResponseMessage Response, JsonNode? Body)> SendAsync(HttpClient http, string path, HttpContent content)
    {
        var response = await http.PostAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        return (response, text.Length == 0 ? null : JsonNode.Parse(text));
    }
}

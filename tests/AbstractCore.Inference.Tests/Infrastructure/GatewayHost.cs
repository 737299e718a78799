using System.ClientModel;
using System.ClientModel.Primitives;
using AbstractCore.Api.Chat;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Embeddings;

namespace AbstractCore.Inference.Tests.Infrastructure;

/// <summary>The real Api gateway (in-memory test server) with <c>onnx/*</c> routed to an Inference host.</summary>
/// <param name="settings">More gateway settings (e.g. the bloc store's folder).</param>
internal sealed class GatewayHost(string inferenceV1, IReadOnlyDictionary<string, string?>? settings = null)
    : WebApplicationFactory<ChatCompletionsHandler>
{
    public const string Token = "onnx-test-token";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("ABSTRACTCORE_SERVER_DISABLE_CENTRALIZED_CONFIG", "1");
        builder.UseSetting("ABSTRACTCORE_AUTH_TOKEN", Token);
        builder.UseSetting("ABSTRACTCORE_INFERENCE_URL", inferenceV1);
        foreach (var (name, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(name, value);
        }
    }

    public HttpClient Http()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", Token);
        return client;
    }

    /// <summary>The official OpenAI .NET SDK pointed at the gateway, without retries so tests see every failure.</summary>
    public ChatClient Chat(string model) => new(model, new ApiKeyCredential(Token), SdkOptions());

    /// <summary>The official SDK's embeddings client, pointed at the gateway like <see cref="Chat"/>.</summary>
    public EmbeddingClient Embeddings(string model) => new(model, new ApiKeyCredential(Token), SdkOptions());

    private OpenAIClientOptions SdkOptions() => new()
    {
        Endpoint = new Uri(Server.BaseAddress, "v1"),
        Transport = new HttpClientPipelineTransport(CreateClient()),
        RetryPolicy = new ClientRetryPolicy(0),
        NetworkTimeout = TimeSpan.FromMinutes(5),
    };
}

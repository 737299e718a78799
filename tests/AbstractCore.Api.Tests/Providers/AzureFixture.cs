using System.ClientModel;
using System.ClientModel.Primitives;
using AbstractCore.Api.Tests.Infrastructure;
using AbstractCore.TestKit.FakeAzure;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Embeddings;

namespace AbstractCore.Api.Tests.Providers;

/// <summary>A fake Azure OpenAI resource on real Kestrel and a gateway whose <c>AZURE_OPENAI_*</c> settings point at it,
/// guarded by a server token.</summary>
public sealed class AzureFixture : IAsyncLifetime
{
    public const string Token = "test-server-token";
    public const string Model = "azure/gpt-4o";
    public const string ApiVersion = "2024-10-21";

    public FakeAzureOpenAIUpstream Azure { get; private set; } = null!;
    public GatewayFactory Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Azure = await FakeAzureOpenAIUpstream.StartAsync();
        Gateway = new GatewayFactory(Settings(Azure, withKey: true));
        _ = Gateway.Server; // start now, not in the first test
    }

    /// <summary>The settings that point a gateway at <paramref name="azure"/>, with or without its key.</summary>
    public static Dictionary<string, string?> Settings(FakeAzureOpenAIUpstream azure, bool withKey) => new()
    {
        ["ABSTRACTCORE_AUTH_TOKEN"] = Token,
        ["AZURE_OPENAI_ENDPOINT"] = azure.Endpoint,
        ["AZURE_OPENAI_API_KEY"] = withKey ? azure.ApiKey : null,
        ["AZURE_OPENAI_API_VERSION"] = ApiVersion,
        ["AZURE_OPENAI_DEPLOYMENTS"] = "gpt-4o, o3-mini,text-embedding-3-small",
    };

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Azure.DisposeAsync();
    }

    public HttpClient Http() => Gateway.Http(Token);

    /// <summary>The official OpenAI .NET SDK pointed at the gateway.</summary>
    public ChatClient Chat(string model = Model) => Gateway.Chat(model, Token);

    public EmbeddingClient Embeddings(string model) => new(model, new ApiKeyCredential(Token), new OpenAIClientOptions
    {
        Endpoint = new Uri(Gateway.Server.BaseAddress, "v1"),
        Transport = new HttpClientPipelineTransport(Gateway.CreateClient()),
        RetryPolicy = new ClientRetryPolicy(0),
    });
}

using System.Net;
using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;
using AbstractCore.Providers.Azure;
using AbstractCore.TestKit.FakeAzure;
using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.DependencyInjection;
using OpenAI.Chat;

namespace AbstractCore.Api.Tests.Providers;

/// <summary>
/// The azure provider's settings: deployments listed from <c>AZURE_OPENAI_DEPLOYMENTS</c> (Azure's data plane lists none),
/// and without <c>AZURE_OPENAI_API_KEY</c> the Entra ID credential chain signing the calls, for the configured endpoint only.
/// </summary>
public sealed class AzureConfigurationTests(AzureFixture fx) : IClassFixture<AzureFixture>
{
    [Fact]
    public async Task Models_and_providers_list_the_configured_deployments()
    {
        using var http = fx.Http();

        var models = JsonNode.Parse(await http.GetStringAsync("/v1/models?provider=azure"))!["data"]!.AsArray();
        var providers = JsonNode.Parse(await http.GetStringAsync("/providers?include_models=true"))!["providers"]!.AsArray();

        Assert.Equal(["azure/gpt-4o", "azure/o3-mini", "azure/text-embedding-3-small"], models.Select(m => (string?)m!["id"]));
        Assert.All(models, m => Assert.Equal("azure", (string?)m!["owned_by"]));
        var azure = providers.Single(p => (string?)p!["name"] == "azure")!;
        Assert.Equal("available", (string?)azure["status"]);
        Assert.Equal(3, (int)azure["model_count"]!);
        Assert.DoesNotContain(fx.Azure.Requests, r => !r.Path.StartsWith("/openai/deployments/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_key_the_credential_chain_signs_the_call_with_a_bearer_token()
    {
        var credential = new RecordingCredential("entra-access-token");
        fx.Azure.AcceptedToken = credential.Token;
        await using var gateway = new GatewayFactory(AzureFixture.Settings(fx.Azure, withKey: false), s => s.AddSingleton<TokenCredential>(credential));
        fx.Azure.Enqueue(AzureReply.Text("Signed by Entra ID."));

        ChatCompletion completion = await gateway.Chat(AzureFixture.Model, AzureFixture.Token).CompleteChatAsync([new UserChatMessage("hi")]);

        Assert.Equal("Signed by Entra ID.", completion.Content[0].Text);
        var sent = fx.Azure.LastChatRequest;
        Assert.Equal("Bearer entra-access-token", sent.Headers["Authorization"]);
        Assert.False(sent.Headers.ContainsKey("api-key"));
        Assert.Equal(["https://cognitiveservices.azure.com/.default"], credential.Scopes);
    }

    [Fact]
    public async Task Without_a_configured_api_version_the_azure_sdks_own_is_sent()
    {
        var settings = AzureFixture.Settings(fx.Azure, withKey: true);
        settings.Remove("AZURE_OPENAI_API_VERSION");
        await using var gateway = new GatewayFactory(settings);
        fx.Azure.Enqueue(AzureReply.Text("ok"));

        await gateway.Chat(AzureFixture.Model, AzureFixture.Token).CompleteChatAsync([new UserChatMessage("hi")]);

        Assert.Equal("/openai/deployments/gpt-4o/chat/completions?api-version=2025-04-01-preview", fx.Azure.LastChatRequest.Path);
    }

    [Fact]
    public void Without_a_registered_credential_the_chain_is_DefaultAzureCredential()
    {
        var clients = fx.Gateway.Services.GetRequiredService<AzureOpenAIClients>();

        Assert.IsType<DefaultAzureCredential>(clients.Credential);
    }

    [Fact]
    public async Task The_servers_identity_never_goes_to_a_request_chosen_base_url()
    {
        var credential = new RecordingCredential("entra-access-token");
        await using var gateway = new GatewayFactory(AzureFixture.Settings(fx.Azure, withKey: false), s => s.AddSingleton<TokenCredential>(credential));
        using var http = gateway.Http(AzureFixture.Token);
        var before = fx.Azure.Requests.Count;

        var (response, body) = await Wire.PostAsync(http, "/v1/chat/completions",
            $$"""{"model":"azure/gpt-4o","base_url":"{{fx.Azure.Endpoint}}","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("server_key_not_forwarded", (string?)body!["error"]!["code"]);
        Assert.Equal(before, fx.Azure.Requests.Count);
        Assert.Empty(credential.Scopes);
    }

    /// <summary>An Entra ID credential that hands out one token and records the scopes it was asked for.</summary>
    private sealed class RecordingCredential(string token) : TokenCredential
    {
        private readonly List<string> _scopes = [];

        public string Token => token;

        public List<string> Scopes
        {
            get
            {
                lock (_scopes)
                {
                    return [.. _scopes];
                }
            }
        }

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            lock (_scopes)
            {
                _scopes.AddRange(requestContext.Scopes);
            }

            return new AccessToken(token, DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new(GetToken(requestContext, cancellationToken));
    }
}

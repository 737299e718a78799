using System.Net;
using System.Text.Json.Nodes;

namespace AbstractCore.Api.Tests.Aliases;

/// <summary>Rule 3: a 4xx that is the caller's fault is final: a 400, and a 401 for the caller's own provider key, reach
/// the client as they are and no other deployment is tried. A 401 for a key the server holds is the deployment's fault.</summary>
public sealed class AliasFinalErrorTests : AliasRulesTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_400_is_not_retried(bool stream)
    {
        A.Enqueue(FakeReply.Error(400, "Invalid value for 'temperature': must be at most 2.", "invalid_request_error", "invalid_value"));
        B.Enqueue(FakeReply.Text("from b"));
        Start([Deployment("a", A.BaseUrl), Deployment("b", B.BaseUrl, "\"weight\": 0")]);
        using var http = Gateway.Http(Token);

        var (response, text) = await PostChatAsync(http, stream);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonNode.Parse(text)?["error"];
        Assert.Contains("Invalid value for 'temperature'", (string?)error?["message"], StringComparison.Ordinal);
        Assert.Equal("invalid_value", (string?)error?["code"]);
        Assert.Equal(1, Chats(A));
        Assert.Equal(0, Chats(B));
        Assert.Equal("1", Header(response, "X-AbstractCore-Attempts"));
    }

    [Fact]
    public async Task A_401_for_the_callers_own_key_is_not_retried()
    {
        A.Enqueue(FakeReply.Error(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key"));
        B.Enqueue(FakeReply.Text("from b"));
        Start([Deployment("a", A.BaseUrl), Deployment("b", B.BaseUrl, "\"weight\": 0")]);
        using var http = Gateway.Http(Token);
        http.DefaultRequestHeaders.Add("X-AbstractCore-Provider-API-Key", "sk-callers-own-key");

        var (response, text) = await PostChatAsync(http, stream: false);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("Incorrect API key provided.", text, StringComparison.Ordinal);
        Assert.Equal("Bearer sk-callers-own-key", A.LastChatRequest.Headers["Authorization"]);
        Assert.Equal(1, Chats(A));
        Assert.Equal(0, Chats(B));
    }

    [Fact]
    public async Task A_401_for_a_key_the_server_holds_falls_back()
    {
        A.Enqueue(FakeReply.Error(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key"));
        B.Enqueue(FakeReply.Text("from b"));
        Start(
            [Deployment("a", A.BaseUrl, "\"api_key_env\": \"ALIAS_RULES_KEY_A\""), Deployment("b", B.BaseUrl, "\"weight\": 0, \"api_key_env\": \"ALIAS_RULES_KEY_B\"")],
            "", ("ALIAS_RULES_KEY_A", "sk-revoked-a"), ("ALIAS_RULES_KEY_B", "sk-good-b"));
        using var http = Gateway.Http(Token);

        var (response, text) = await PostChatAsync(http, stream: false);

        Assert.True(response.IsSuccessStatusCode, text);
        Assert.Equal("b", Header(response, "X-AbstractCore-Deployment"));
        Assert.Equal("Bearer sk-revoked-a", A.LastChatRequest.Headers["Authorization"]);
        Assert.Equal("Bearer sk-good-b", B.LastChatRequest.Headers["Authorization"]);
    }

    [Fact]
    public async Task A_404_model_is_not_retried()
    {
        A.Enqueue(FakeReply.Error(404, "The model 'model-a' does not exist or you do not have access to it.", "invalid_request_error", "model_not_found"));
        B.Enqueue(FakeReply.Text("from b"));
        Start([Deployment("a", A.BaseUrl), Deployment("b", B.BaseUrl, "\"weight\": 0")]);
        using var http = Gateway.Http(Token);

        var (response, text) = await PostChatAsync(http, stream: false);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("model_not_found", text, StringComparison.Ordinal);
        Assert.Equal(0, Chats(B));
    }
}

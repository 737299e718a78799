using System.ClientModel;
using System.Net;
using AbstractCore.TestKit.FakeAzure;
using OpenAI.Chat;

namespace AbstractCore.Api.Tests.Providers;

/// <summary>
/// What Azure refuses reaches the client through the connector as Azure said it, in the OpenAI error envelope, with the
/// official SDK as the client: a wrong key (401), a deployment the resource lacks (404 <c>DeploymentNotFound</c>), a rate
/// limit (429 keeping <c>Retry-After</c>), a prompt its content filter refused (400 naming what the filter found).
/// </summary>
public sealed class AzureFailureTests(AzureFixture fx) : IClassFixture<AzureFixture>
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_key_azure_refuses_is_a_401_naming_the_provider(bool stream)
    {
        using var http = fx.Http();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = Wire.Json($$"""{"model":"azure/gpt-4o","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hi"}]}"""),
        };
        request.Headers.Add("X-AbstractCore-Provider-API-Key", "not-the-resource-key");

        using var response = await http.SendAsync(request);
        var body = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith("Provider 'azure' answered HTTP 401: Access denied due to invalid subscription key", (string?)body["error"]!["message"], StringComparison.Ordinal);
        Assert.Equal("authentication_error", (string?)body["error"]!["type"]);
        Assert.Equal("azure", response.Headers.GetValues("X-AbstractCore-Provider").Single());
        Assert.Equal("401", response.Headers.GetValues("X-AbstractCore-Upstream-Status").Single());
        Assert.Equal("not-the-resource-key", fx.Azure.LastChatRequest.Headers["api-key"]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_deployment_the_resource_lacks_is_a_404_deployment_not_found(bool stream)
    {
        var failure = await Assert.ThrowsAsync<ClientResultException>(() => CallAsync("azure/gpt-99", stream));

        Assert.Equal(404, failure.Status);
        Assert.Contains("Provider 'azure' answered HTTP 404: The API deployment for this resource does not exist.", failure.Message, StringComparison.Ordinal);
        Assert.Contains("DeploymentNotFound", failure.Message, StringComparison.Ordinal);
        Assert.StartsWith("/openai/deployments/gpt-99/chat/completions?", fx.Azure.LastChatRequest.Path, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_rate_limit_is_a_429_that_keeps_retry_after(bool stream)
    {
        fx.Azure.Enqueue(AzureReply.RateLimited(retryAfterSeconds: 6));

        var failure = await Assert.ThrowsAsync<ClientResultException>(() => CallAsync(AzureFixture.Model, stream));

        Assert.Equal(429, failure.Status);
        Assert.Contains("Please retry after 6 seconds.", failure.Message, StringComparison.Ordinal);
        var headers = failure.GetRawResponse()!.Headers;
        Assert.True(headers.TryGetValue("Retry-After", out var retryAfter));
        Assert.Equal("6", retryAfter);
        Assert.True(headers.TryGetValue("retry-after-ms", out var retryAfterMs));
        Assert.Equal("6000", retryAfterMs);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_prompt_the_content_filter_refuses_is_a_400_with_the_filter_result(bool stream)
    {
        using var http = fx.Http();
        fx.Azure.Enqueue(AzureReply.ContentFilter("violence", "medium"));

        var (response, body) = await Wire.PostAsync(http, "/v1/chat/completions",
            $$"""{"model":"azure/gpt-4o","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"something violent"}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = body!["error"]!;
        Assert.StartsWith("Provider 'azure' answered HTTP 400: The response was filtered due to the prompt triggering Azure OpenAI's content management policy.",
            (string?)error["message"], StringComparison.Ordinal);
        Assert.EndsWith("Content filter result: violence: medium.", (string?)error["message"], StringComparison.Ordinal);
        Assert.Equal("content_filter", (string?)error["code"]);
        Assert.Equal("prompt", (string?)error["param"]);
        Assert.Equal("invalid_request_error", (string?)error["type"]);
    }

    private async Task CallAsync(string model, bool stream)
    {
        var chat = fx.Chat(model);
        if (!stream)
        {
            await chat.CompleteChatAsync([new UserChatMessage("hi")]);
            return;
        }

        await foreach (var _ in chat.CompleteChatStreamingAsync([new UserChatMessage("hi")]))
        {
        }
    }
}

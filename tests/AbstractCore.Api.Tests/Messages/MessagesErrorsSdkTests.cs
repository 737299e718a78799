using System.Net;
using System.Text.Json.Nodes;
using Anthropic.Exceptions;
using Anthropic.Models.Messages;
using AbstractCore.TestKit.Documents;
using static AbstractCore.Api.Tests.Messages.MessagesSdkClient;

namespace AbstractCore.Api.Tests.Messages;

/// <summary>
/// Every error type of Anthropic's envelope <c>{"type":"error","error":{"type","message"}}</c> on <c>/v1/messages</c>,
/// as Anthropic's official .NET SDK raises it (its exception class per status and its parsed error type), for failures
/// of the gateway itself and of each kind of upstream; plain HTTP where the SDK hides the wire (<c>retry-after</c>).
/// </summary>
[Collection(MessagesSdkCollection.Name)]
public sealed class MessagesErrorsSdkTests(MessagesFixture fixture)
{
    private readonly MessagesFixture fx = fixture.Reset();

    [Fact]
    public async Task A_request_without_max_tokens_is_a_400_invalid_request_error()
    {
        // The SDK refuses to send a request without max_tokens (AnthropicInvalidDataException before any I/O), so this
        // one is plain HTTP.
        var before = fx.OpenAI.ChatRequestCount;
        using var http = fx.Http();

        var (response, body) = await Wire.PostAsync(http, "/v1/messages", """{"model":"openai-compatible/fake-model","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("error", (string?)body!["type"]);
        Assert.Equal("invalid_request_error", (string?)body["error"]!["type"]);
        Assert.Contains("max_tokens", (string?)body["error"]!["message"], StringComparison.Ordinal);
        Assert.Equal(before, fx.OpenAI.ChatRequestCount);
    }

    [Fact]
    public async Task An_unknown_server_tool_is_a_400_naming_it()
    {
        var error = await Assert.ThrowsAsync<AnthropicBadRequestException>(() => fx.Sdk().Messages.Create(
            Params("openai-compatible/fake-model", User("Search the web.")) with { Tools = [new WebSearchTool20250305()] }));

        AssertEnvelope(error, HttpStatusCode.BadRequest, "invalid_request_error", "web_search");
    }

    [Fact]
    public async Task A_wrong_x_api_key_is_a_401_authentication_error()
    {
        using var client = fx.SdkWithXApiKey("not-the-server-token");

        var error = await Assert.ThrowsAsync<AnthropicUnauthorizedException>(() => client.Messages.Create(Params("openai-compatible/fake-model", User("hi"))));

        AssertEnvelope(error, HttpStatusCode.Unauthorized, "authentication_error", null);
    }

    [Fact]
    public async Task A_wrong_bearer_api_key_is_a_401_authentication_error()
    {
        using var client = fx.Sdk(apiKey: "not-the-server-token");

        var error = await Assert.ThrowsAsync<AnthropicUnauthorizedException>(() => client.Messages.Create(Params("openai-compatible/fake-model", User("hi"))));

        AssertEnvelope(error, HttpStatusCode.Unauthorized, "authentication_error", null);
    }

    [Fact]
    public async Task A_missing_api_key_is_a_401_authentication_error()
    {
        using var http = fx.Gateway.CreateClient();

        var (response, body) = await Wire.PostAsync(http, "/v1/messages", """{"model":"openai-compatible/fake-model","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("error", (string?)body!["type"]);
        Assert.Equal("authentication_error", (string?)body["error"]!["type"]);
    }

    [Fact]
    public async Task An_image_url_on_a_private_address_is_a_403_permission_error_and_nothing_is_fetched()
    {
        await using var files = await LoopbackFiles.StartAsync();
        var url = files.Serve("cat.png", TestDocuments.Png());
        var before = fx.OpenAI.ChatRequestCount;

        var error = await Assert.ThrowsAsync<AnthropicForbiddenException>(() => fx.Sdk().Messages.Create(Params("openai-compatible/fake-model",
            User(new TextBlockParam("What is this?"), new ImageBlockParam(new UrlImageSource(url))))));

        AssertEnvelope(error, HttpStatusCode.Forbidden, "permission_error", "SSRF protection");
        Assert.Equal(0, files.Hits);
        Assert.Equal(before, fx.OpenAI.ChatRequestCount);
    }

    [Theory]
    [MemberData(nameof(AllProviders), MemberType = typeof(MessagesSdkClient))]
    public async Task An_upstream_403_is_a_403_permission_error(string provider)
    {
        var upstream = fx.Upstream(provider);
        upstream.EnqueueError(403, "this key may not use that model");

        var error = await Assert.ThrowsAsync<AnthropicForbiddenException>(() => fx.Sdk().Messages.Create(Params(upstream.Model, User("hi"))));

        AssertEnvelope(error, HttpStatusCode.Forbidden, "permission_error", "this key may not use that model");
    }

    [Fact]
    public async Task An_unknown_provider_is_a_404_not_found_error()
    {
        var error = await Assert.ThrowsAsync<AnthropicNotFoundException>(() => fx.Sdk().Messages.Create(Params("no-such-provider/some-model", User("hi"))));

        AssertEnvelope(error, HttpStatusCode.NotFound, "not_found_error", "no-such-provider");
    }

    [Theory]
    [MemberData(nameof(AllProviders), MemberType = typeof(MessagesSdkClient))]
    public async Task An_upstream_404_is_a_404_not_found_error(string provider)
    {
        var upstream = fx.Upstream(provider);
        upstream.EnqueueError(404, "model 'gone' not found");

        var error = await Assert.ThrowsAsync<AnthropicNotFoundException>(() => fx.Sdk().Messages.Create(Params(upstream.Model, User("hi"))));

        AssertEnvelope(error, HttpStatusCode.NotFound, "not_found_error", "model 'gone' not found");
    }

    [Theory]
    [InlineData(MessagesUpstream.OpenAICompatible, false)]
    [InlineData(MessagesUpstream.OpenAICompatible, true)]
    [InlineData(MessagesUpstream.Anthropic, false)]
    [InlineData(MessagesUpstream.Anthropic, true)]
    public async Task An_upstream_429_is_a_429_rate_limit_error(string provider, bool stream)
    {
        var upstream = fx.Upstream(provider);
        upstream.EnqueueError(429, "slow down", new Dictionary<string, string> { ["retry-after"] = "7" });

        var error = await Assert.ThrowsAsync<AnthropicRateLimitException>(() => Call(upstream.Model, stream));

        AssertEnvelope(error, HttpStatusCode.TooManyRequests, "rate_limit_error", "slow down");
    }

    [Theory]
    [InlineData(MessagesUpstream.OpenAICompatible)]
    [InlineData(MessagesUpstream.Anthropic)]
    public async Task An_upstream_429_keeps_its_retry_after(string provider)
    {
        var upstream = fx.Upstream(provider);
        upstream.EnqueueError(429, "slow down", new Dictionary<string, string> { ["retry-after"] = "7" });
        using var http = fx.Http();

        var (response, body) = await Wire.PostAsync(http, "/v1/messages", $$"""{"model":"{{upstream.Model}}","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
        Assert.Equal("error", (string?)body!["type"]);
        Assert.Equal("rate_limit_error", (string?)body["error"]!["type"]);
    }

    [Theory]
    [InlineData(MessagesUpstream.OpenAICompatible, false)]
    [InlineData(MessagesUpstream.OpenAICompatible, true)]
    [InlineData(MessagesUpstream.Ollama, false)]
    [InlineData(MessagesUpstream.Anthropic, false)]
    public async Task An_upstream_500_is_a_502_api_error(string provider, bool stream)
    {
        var upstream = fx.Upstream(provider);
        upstream.EnqueueError(500, "internal failure");

        var error = await Assert.ThrowsAsync<Anthropic5xxException>(() => Call(upstream.Model, stream));

        // A 502 blaming the provider, as on the chat route (Anthropic's own 500 too: the gateway, not Anthropic, answers).
        AssertEnvelope(error, HttpStatusCode.BadGateway, "api_error", "internal failure");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_unreachable_upstream_is_a_502_api_error(bool stream)
    {
        var error = await Assert.ThrowsAsync<Anthropic5xxException>(() => Call("vllm/fake-model", stream));

        AssertEnvelope(error, HttpStatusCode.BadGateway, "api_error", null);
    }

    [Theory]
    [InlineData(MessagesUpstream.OpenAICompatible, 503, false)]
    [InlineData(MessagesUpstream.OpenAICompatible, 503, true)]
    [InlineData(MessagesUpstream.OpenAICompatible, 529, false)]
    [InlineData(MessagesUpstream.Ollama, 503, false)]
    [InlineData(MessagesUpstream.Anthropic, 529, false)]
    [InlineData(MessagesUpstream.Anthropic, 529, true)]
    public async Task An_overloaded_upstream_is_a_529_overloaded_error(string provider, int status, bool stream)
    {
        var upstream = fx.Upstream(provider);
        upstream.EnqueueError(status, "overloaded, try later");

        var error = await Assert.ThrowsAsync<AnthropicOverloadedException>(() => Call(upstream.Model, stream));

        AssertEnvelope(error, (HttpStatusCode)529, "overloaded_error", "overloaded, try later");
    }

    private async Task Call(string model, bool stream)
    {
        var parameters = Params(model, User("hi"));
        if (stream)
        {
            await StreamAsync(fx.Sdk(), parameters);
        }
        else
        {
            await fx.Sdk().Messages.Create(parameters);
        }
    }

    /// <summary>The SDK read Anthropic's envelope: status, <c>type:"error"</c>, the error's type and a message.</summary>
    private static void AssertEnvelope(AnthropicApiException error, HttpStatusCode status, string type, string? messagePart)
    {
        Assert.Equal(status, error.StatusCode);
        var body = JsonNode.Parse(error.ResponseBody)!;
        Assert.Equal("error", (string?)body["type"]);
        Assert.Equal(type, error.Type?.Raw());
        Assert.False(string.IsNullOrEmpty(error.ApiMessage), error.ResponseBody);
        if (messagePart is not null)
        {
            Assert.Contains(messagePart, error.ApiMessage, StringComparison.Ordinal);
        }
    }
}

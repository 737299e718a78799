using System.Net;

namespace AbstractCore.Api.Tests.Aliases;

/// <summary>Rule 4: a context-length refusal goes only to a deployment with a larger <c>context_window</c>; a
/// content-policy refusal only to the deployments marked <c>content_policy_fallback</c>.</summary>
public sealed class AliasRefusalFallbackTests : AliasRulesTests
{
    private static FakeReply ContextLength() => FakeReply.Error(400,
        "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.",
        "invalid_request_error", "context_length_exceeded");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_context_length_error_goes_to_a_deployment_with_a_larger_context(bool stream)
    {
        A.Enqueue(ContextLength());
        B.Enqueue(FakeReply.Text("from the small one"));
        C.Enqueue(FakeReply.Text("from the big one"));
        Start([
            Deployment("a", A.BaseUrl, "\"context_window\": 8192"),
            Deployment("small", B.BaseUrl, "\"weight\": 0, \"context_window\": 4096"),
            Deployment("big", C.BaseUrl, "\"weight\": 0, \"context_window\": 128000"),
        ]);
        using var http = Gateway.Http(Token);

        var (response, text) = await PostChatAsync(http, stream);

        Assert.True(response.IsSuccessStatusCode, text);
        Assert.Equal("big", Header(response, "X-AbstractCore-Deployment"));
        Assert.Equal("from the big one", AnswerText(text, stream));
        Assert.Equal(0, Chats(B));
        Assert.Equal(1, Chats(C));
    }

    [Fact]
    public async Task A_context_length_error_with_no_larger_deployment_is_final()
    {
        A.Enqueue(ContextLength());
        B.Enqueue(FakeReply.Text("from the small one"));
        Start([
            Deployment("a", A.BaseUrl, "\"context_window\": 8192"),
            Deployment("small", B.BaseUrl, "\"weight\": 0, \"context_window\": 4096"),
        ]);
        using var http = Gateway.Http(Token);

        var (response, text) = await PostChatAsync(http, stream: false);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("context_length_exceeded", text, StringComparison.Ordinal);
        Assert.Equal(0, Chats(B));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_content_policy_error_goes_to_the_deployment_marked_for_it(bool stream)
    {
        A.Enqueue(FakeReply.Error(400, "Your request was rejected as a result of our safety system.", "invalid_request_error", "content_policy_violation"));
        B.Enqueue(FakeReply.Text("from the plain one"));
        C.Enqueue(FakeReply.Text("from the lenient one"));
        Start([
            Deployment("a", A.BaseUrl),
            Deployment("plain", B.BaseUrl, "\"weight\": 0"),
            Deployment("lenient", C.BaseUrl, "\"weight\": 0, \"content_policy_fallback\": true"),
        ]);
        using var http = Gateway.Http(Token);

        var (response, text) = await PostChatAsync(http, stream);

        Assert.True(response.IsSuccessStatusCode, text);
        Assert.Equal("lenient", Header(response, "X-AbstractCore-Deployment"));
        Assert.Equal("from the lenient one", AnswerText(text, stream));
        Assert.Equal(0, Chats(B));
        Assert.Equal(1, Chats(C));
    }
}

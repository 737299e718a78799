using System.ClientModel;
using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;
using OpenAI.Chat;

namespace AbstractCore.Api.Tests.Chat;

/// <summary>Every upstream failure gets a sensible status with the upstream's message, plain and streamed.</summary>
public sealed class UpstreamFailureTests(GatewayFixture fx) : IClassFixture<GatewayFixture>
{
    public static TheoryData<int, bool> PassedThrough() => new()
    {
        { 400, false }, { 400, true }, { 401, false }, { 401, true }, { 404, false }, { 404, true },
    };

    [Theory]
    [MemberData(nameof(PassedThrough))]
    public async Task Upstream_client_errors_pass_through_with_their_message(int status, bool stream)
    {
        fx.Upstream.Enqueue(FakeReply.Error(status, $"upstream says {status}", code: "upstream_code"));

        var error = await Assert.ThrowsAsync<ClientResultException>(() => Call(stream));

        Assert.Equal(status, error.Status);
        var body = JsonNode.Parse(error.GetRawResponse()!.Content.ToString())!;
        // The upstream's words and code, but said to come from the provider, so an upstream 401 is not read as the server token's.
        Assert.Equal($"Provider 'openai-compatible' answered HTTP {status}: upstream says {status}", (string?)body["error"]!["message"]);
        Assert.Equal("upstream_code", (string?)body["error"]!["code"]);
        AssertNamesUpstream(error, status);
    }

    private static void AssertNamesUpstream(ClientResultException error, int? upstreamStatus)
    {
        var headers = error.GetRawResponse()!.Headers;
        Assert.True(headers.TryGetValue("X-AbstractCore-Provider", out var provider));
        Assert.Equal("openai-compatible", provider);
        Assert.Equal(upstreamStatus is not null, headers.TryGetValue("X-AbstractCore-Upstream-Status", out var sent));
        Assert.Equal(upstreamStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture), sent);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Rate_limits_keep_429_and_retry_after(bool stream)
    {
        fx.Upstream.Enqueue(FakeReply.Error(429, "slow down", "rate_limit_error",
            headers: new Dictionary<string, string> { ["Retry-After"] = "7" }));

        var error = await Assert.ThrowsAsync<ClientResultException>(() => Call(stream));

        Assert.Equal(429, error.Status);
        Assert.True(error.GetRawResponse()!.Headers.TryGetValue("Retry-After", out var retryAfter));
        Assert.Equal("7", retryAfter);
        Assert.Contains("slow down", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, bool> BadGateway() => new()
    {
        { "503", false }, { "503", true }, { "garbage", false }, { "garbage", true }, { "refused", false }, { "refused", true },
    };

    [Theory]
    [MemberData(nameof(BadGateway))]
    public async Task Upstream_outages_and_garbage_become_502(string failure, bool stream)
    {
        var model = GatewayFixture.Model;
        switch (failure)
        {
            case "503":
                fx.Upstream.Enqueue(FakeReply.Error(503, "overloaded", "server_error"));
                break;
            case "garbage":
                fx.Upstream.Enqueue(FakeReply.Raw(200, stream ? "text/event-stream" : "application/json", "<html>not json</html>"));
                break;
            default:
                model = "vllm/fake-model"; // VLLM_BASE_URL points at a closed port
                break;
        }

        var error = await Assert.ThrowsAsync<ClientResultException>(() => Call(stream, model));

        Assert.Equal(502, error.Status);
        var body = JsonNode.Parse(error.GetRawResponse()!.Content.ToString())!;
        Assert.False(string.IsNullOrEmpty((string?)body["error"]!["message"]));
        if (failure == "503")
        {
            Assert.Contains("overloaded", (string?)body["error"]!["message"], StringComparison.Ordinal);
            AssertNamesUpstream(error, 503);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_silent_upstream_times_out_as_504(bool stream)
    {
        using var http = fx.Http();
        fx.Upstream.Enqueue(FakeReply.Hang());
        var (response, body) = await Wire.PostAsync(http, "/v1/chat/completions",
            $$"""{"model":"openai-compatible/fake-model","stream":{{(stream ? "true" : "false")}},"timeout_s":0.5,"messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(504, (int)response.StatusCode);
        Assert.Contains("did not answer", (string?)body!["error"]!["message"], StringComparison.Ordinal);
        Assert.True(await fx.Upstream.WaitForCancellationAsync(TimeSpan.FromSeconds(10)), "the upstream call was not cancelled");
    }

    [Theory]
    [InlineData(null)] // relayed as bytes
    [InlineData("xml")] // translated
    public async Task A_stream_that_keeps_talking_outlives_its_timeout_s(string? agentFormat)
    {
        using var http = fx.Http();
        fx.Upstream.Enqueue(FakeReply.Paced("alpha beta gamma delta epsilon zeta", TimeSpan.FromMilliseconds(500)));
        var extra = agentFormat is null ? "" : $",\"agent_format\":\"{agentFormat}\"";
        var (response, events) = await Wire.StreamAsync(http, "/v1/chat/completions",
            $$"""{"model":"openai-compatible/fake-model","stream":true,"timeout_s":2{{extra}},"messages":[{"role":"user","content":"hi"}]}""");

        // ~4 s of answer under a 2 s deadline per silence: never silent that long, so never cut.
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("[DONE]", events[^1]);
        Assert.DoesNotContain(events, e => e.Contains("\"error\"", StringComparison.Ordinal));
        Assert.Equal("alpha beta gamma delta epsilon zeta", string.Concat(events[..^1].Select(e =>
            (string?)JsonNode.Parse(e)!["choices"]?.AsArray().FirstOrDefault()?["delta"]?["content"])));
    }

    [Fact]
    public async Task A_stream_cut_midway_ends_with_one_in_band_error_chunk()
    {
        using var http = fx.Http();
        fx.Upstream.Enqueue(FakeReply.CutStream("alpha beta gamma delta epsilon", chunksBeforeCut: 2));
        var (response, events) = await Wire.StreamAsync(http, "/v1/chat/completions",
            """{"model":"openai-compatible/fake-model","stream":true,"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.DoesNotContain("[DONE]", events);
        var last = JsonNode.Parse(events[^1])!;
        Assert.NotNull(last["error"]);
        Assert.Single(events, e => e.Contains("\"error\"", StringComparison.Ordinal));
        Assert.Contains(events[..^1], e => JsonNode.Parse(e)!["choices"]![0]!["delta"]!["content"] is not null);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_client_that_disconnects_cancels_the_upstream_request(bool stream)
    {
        using var http = fx.Http();
        var before = fx.Upstream.CancelledRequests;
        var received = fx.Upstream.ChatRequestCount;
        fx.Upstream.Enqueue(FakeReply.Hang());
        using var leave = new CancellationTokenSource();
        var call = http.PostAsync("/v1/chat/completions", Wire.Json(
            $$"""{"model":"openai-compatible/fake-model","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hi"}]}"""),
            leave.Token);

        // The client leaves once the upstream holds the request: leaving earlier (a slow machine) would test nothing.
        Assert.True(await fx.Upstream.WaitForChatRequestsAfterAsync(received, TimeSpan.FromSeconds(10)), "the gateway never called the upstream");
        await leave.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (fx.Upstream.CancelledRequests == before && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(fx.Upstream.CancelledRequests > before, "the upstream request kept running after the client left");
    }

    private async Task Call(bool stream, string model = GatewayFixture.Model)
    {
        var chat = fx.Chat(model);
        if (stream)
        {
            await foreach (var _ in chat.CompleteChatStreamingAsync([new UserChatMessage("hi")]))
            {
            }
        }
        else
        {
            await chat.CompleteChatAsync([new UserChatMessage("hi")]);
        }
    }
}

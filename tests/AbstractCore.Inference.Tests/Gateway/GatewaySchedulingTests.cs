using System.ClientModel;
using System.Net;
using System.Text.Json.Nodes;
using AbstractCore.Inference.Scheduling;
using AbstractCore.Inference.Tests.Infrastructure;
using AbstractCore.TinyModels;
using OpenAI.Chat;

namespace AbstractCore.Inference.Tests.Gateway;

/// <summary>One generation at a time per model and two waiting: the queue, 429 and cancellation, seen through the Api.</summary>
public sealed class SingleSlotGatewayFixture : GatewayFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        [InferenceSettings.MaxConcurrencyVariable] = "1",
        [InferenceSettings.MaxQueueVariable] = "2",
    };
}

public sealed class GatewaySchedulingTests(SingleSlotGatewayFixture fixture) : IClassFixture<SingleSlotGatewayFixture>
{
    private ModelGate Gate(string model) => fixture.Inference.Service<Scheduler>().For(model);

    [Fact]
    public async Task A_full_queue_answers_429_with_retry_after_and_queued_requests_complete()
    {
        var gate = Gate(TestModels.Tiny);
        var held = await gate.EnterAsync(CancellationToken.None); // the one slot is busy
        Task<ClientResult<ChatCompletion>> b, c;
        try
        {
            b = fixture.Gateway.Chat("onnx/tiny").CompleteChatAsync([new UserChatMessage("Hi")]);
            await Eventually.TrueAsync(() => gate.Waiting == 1, "the first request queues");
            c = fixture.Gateway.Chat("onnx/tiny").CompleteChatAsync([new UserChatMessage("Hi")]);
            await Eventually.TrueAsync(() => gate.Waiting == 2, "the second request queues");

            var refused = await Assert.ThrowsAsync<ClientResultException>(
                () => fixture.Gateway.Chat("onnx/tiny").CompleteChatAsync([new UserChatMessage("Hi")]));
            Assert.Equal(429, refused.Status);
            Assert.True(refused.GetRawResponse()!.Headers.TryGetValue("Retry-After", out var retryAfter));
            Assert.Equal("1", retryAfter);
        }
        finally
        {
            held.Dispose();
        }

        Assert.Equal(TinyVocabulary.ChatAnswer, (await b).Value.Content[0].Text);
        Assert.Equal(TinyVocabulary.ChatAnswer, (await c).Value.Content[0].Text);
    }

    [Fact]
    public async Task A_client_cancelling_mid_stream_frees_its_slot_for_the_next_request()
    {
        var gate = Gate(TestModels.Long);
        var held = await gate.EnterAsync(CancellationToken.None);
        using var http = fixture.Gateway.Http();
        using var cancel = new CancellationTokenSource();
        const int MaxTokens = 60000;
        var body = Wire.Chat("onnx/" + TestModels.Long,
            new JsonObject { ["stream"] = true, ["max_tokens"] = MaxTokens, ["prompt_cache_key"] = "victim" },
            ("user", "go"), ("assistant", "a"));

        // A (streams for a long time) queues first, then B.
        var a = http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = Wire.Json(body) },
            HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        await Eventually.TrueAsync(() => gate.Waiting == 1, "the streaming request queues");
        var b = fixture.Gateway.Chat("onnx/" + TestModels.Long).CompleteChatAsync([new UserChatMessage("Hi")]);
        await Eventually.TrueAsync(() => gate.Waiting == 2, "the next request queues");
        held.Dispose();

        // A runs: read a few tokens, then go away.
        using (var response = await a)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancel.Token));
            var seen = 0;
            while (seen < 5 && await reader.ReadLineAsync(cancel.Token) is { } line)
            {
                seen += line.StartsWith("data: ", StringComparison.Ordinal) ? 1 : 0;
            }

            await cancel.CancelAsync();
        }

        // B gets the slot and its answer, and A's generation stopped long before its max_tokens.
        Assert.Equal(TinyVocabulary.ChatAnswer, (await b).Value.Content[0].Text);
        var (_, stats) = await Wire.GetAsync(fixture.Inference.Http, "acore/prompt_cache/stats?model=" + TestModels.Long);
        var victim = stats!["stats"]!["entries"]!.AsArray().Single(e => (string?)e!["key"] == "victim")!;
        Assert.InRange((int)victim["tokens"]!, 1, MaxTokens / 2);
        await Eventually.TrueAsync(() => gate.Running == 0, "every slot is free again");
    }
}

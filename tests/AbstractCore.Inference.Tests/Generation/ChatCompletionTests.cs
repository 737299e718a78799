using System.Net;
using System.Text.Json.Nodes;
using AbstractCore.Inference.Tests.Infrastructure;
using AbstractCore.TinyModels;

namespace AbstractCore.Inference.Tests.Generation;

public sealed class ChatCompletionTests(InferenceFixture fixture) : IClassFixture<InferenceFixture>
{
    private HttpClient Http => fixture.Host.Http;

    [Fact]
    public async Task A_user_turn_gets_the_models_known_answer_with_usage()
    {
        var (response, body) = await Wire.PostAsync(Http, "v1/chat/completions", Wire.Chat("tiny", ("user", "Hi")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("chat.completion", (string?)body!["object"]);
        Assert.Equal("tiny", (string?)body["model"]);
        var choice = body["choices"]![0]!;
        Assert.Equal(TinyVocabulary.ChatAnswer, (string?)choice["message"]!["content"]);
        Assert.Equal("assistant", (string?)choice["message"]!["role"]);
        Assert.Equal("stop", (string?)choice["finish_reason"]);

        // "<|user|>Hi<|end|><|assistant|>": 5 tokens; 19 letters plus the EOS.
        Assert.Equal(5, (int)body["usage"]!["prompt_tokens"]!);
        Assert.Equal(20, (int)body["usage"]!["completion_tokens"]!);
        Assert.Equal(25, (int)body["usage"]!["total_tokens"]!);
    }

    [Fact]
    public async Task The_provider_prefix_is_accepted()
    {
        var (response, body) = await Wire.PostAsync(Http, "v1/chat/completions", Wire.Chat("onnx/tiny", ("system", "Be brief."), ("user", "Hi")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(TinyVocabulary.ChatAnswer, (string?)body!["choices"]![0]!["message"]!["content"]);
    }

    [Fact]
    public async Task A_final_assistant_turn_is_continued_up_to_max_tokens()
    {
        var (_, body) = await Wire.PostAsync(Http, "v1/chat/completions",
            Wire.Chat("tiny", new JsonObject { ["max_tokens"] = 30 }, ("user", "Count"), ("assistant", "w")));

        Assert.Equal(TinyVocabulary.Continue('w', 30), (string?)body!["choices"]![0]!["message"]!["content"]);
        Assert.Equal("xyzabcdefghijklmnopqrstuvwxyza", (string?)body["choices"]![0]!["message"]!["content"]);
        Assert.Equal("length", (string?)body["choices"]![0]!["finish_reason"]);
        Assert.Equal(30, (int)body["usage"]!["completion_tokens"]!);
    }

    [Fact]
    public async Task A_stop_sequence_ends_the_answer_before_it()
    {
        var (_, body) = await Wire.PostAsync(Http, "v1/chat/completions",
            Wire.Chat("tiny", new JsonObject { ["stop"] = new JsonArray("xyz", "PQ") }, ("user", "Hi")));

        Assert.Equal("HIJKLMNO", (string?)body!["choices"]![0]!["message"]!["content"]);
        Assert.Equal("stop", (string?)body["choices"]![0]!["finish_reason"]);
    }

    [Fact]
    public async Task Sampling_with_a_seed_is_reproducible()
    {
        var extra = new JsonObject { ["temperature"] = 1.5, ["top_p"] = 0.9, ["top_k"] = 5, ["seed"] = 7, ["max_tokens"] = 12 };
        var (r1, first) = await Wire.PostAsync(Http, "v1/chat/completions", Wire.Chat("tiny", extra, ("user", "x"), ("assistant", "5")));
        var (_, second) = await Wire.PostAsync(Http, "v1/chat/completions", Wire.Chat("tiny", extra, ("user", "x"), ("assistant", "5")));

        Assert.True(HttpStatusCode.OK == r1.StatusCode, first?.ToJsonString());
        Assert.Equal((string?)first!["choices"]![0]!["message"]!["content"], (string?)second!["choices"]![0]!["message"]!["content"]);

        // The next token's logit is 20 above the rest: sampling still follows the rule.
        Assert.Equal("678901234567", (string?)first["choices"]![0]!["message"]!["content"]);
    }

    [Fact]
    public async Task A_streamed_answer_comes_token_by_token_then_finish_usage_and_done()
    {
        var (response, events) = await Wire.StreamAsync(Http, "v1/chat/completions",
            Wire.Chat("tiny", new JsonObject { ["stream"] = true, ["stream_options"] = new JsonObject { ["include_usage"] = true } }, ("user", "Hi")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("[DONE]", events[^1]);
        var chunks = events.SkipLast(1).Select(e => JsonNode.Parse(e)!).ToList();
        Assert.Equal("assistant", (string?)chunks[0]["choices"]![0]!["delta"]!["role"]);
        var pieces = chunks.Skip(1).Where(c => c["choices"]!.AsArray().Count > 0 && c["choices"]![0]!["delta"]!["content"] is not null)
            .Select(c => (string)c["choices"]![0]!["delta"]!["content"]!).ToList();
        Assert.Equal(TinyVocabulary.ChatAnswer.Select(c => c.ToString()), pieces);
        Assert.Equal("stop", (string?)chunks[^2]["choices"]![0]!["finish_reason"]);
        Assert.Equal(20, (int)chunks[^1]["usage"]!["completion_tokens"]!);
        Assert.Single(chunks.Select(c => (string?)c["id"]).Distinct());
    }

    [Fact]
    public async Task Multi_byte_text_round_trips()
    {
        var (_, body) = await Wire.PostAsync(Http, "v1/chat/completions",
            Wire.Chat("tiny", new JsonObject { ["max_tokens"] = 3 }, ("user", "héllo 日本 🙂"), ("assistant", "🙂 a")));

        Assert.Equal("bcd", (string?)body!["choices"]![0]!["message"]!["content"]);
        Assert.Equal(3, (int)body["usage"]!["completion_tokens"]!);
    }

    [Fact]
    public async Task Models_are_listed_with_their_context_length()
    {
        var (response, body) = await Wire.GetAsync(Http, "v1/models");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var tiny = body!["data"]!.AsArray().Single(m => (string?)m!["id"] == "tiny")!;
        Assert.Equal(2048, (int)tiny["context_length"]!);
        Assert.Equal("onnx", (string?)tiny["owned_by"]);
        Assert.Contains(body["data"]!.AsArray(), m => (string?)m!["id"] == TestModels.Long);
    }

    [Fact]
    public async Task Health_and_readiness_answer()
    {
        var (health, body) = await Wire.GetAsync(Http, "health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("inference", (string?)body!["service"]);

        var ready = await Http.GetAsync("ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }
}

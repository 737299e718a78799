using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using AbstractCore.Api.Telemetry;
using AbstractCore.Api.Tests.Infrastructure;
using AbstractCore.TestKit.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace AbstractCore.Api.Tests.Telemetry;

/// <summary>
/// The gateway's <c>chat {model}</c> client span sits between its server span and the HTTP call to the upstream, carries
/// the GenAI attributes, and the <c>AbstractCore.Api</c> meter counts the request and records tokens and latencies.
/// </summary>
public sealed class ChatTelemetryTests(GatewayFixture fx) : IClassFixture<GatewayFixture>
{
    private const string Chat = """{"model":"openai-compatible/fake-model","messages":[{"role":"user","content":"hi"}],"max_tokens":50,"temperature":0.5}""";
    private const string StreamedChat = """{"model":"openai-compatible/fake-model","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true}}""";

    private static SpanCollector Spans() => new("Microsoft.AspNetCore", "System.Net.Http", GatewayTelemetry.Name);

    private MeterCollector Meters() => new(fx.Gateway.Services.GetRequiredService<IMeterFactory>(), GatewayTelemetry.Name);

    private static Func<List<Activity>, bool> HasChatAndHttpSpans =>
        spans => spans.Any(s => s.Source.Name == GatewayTelemetry.Name) && spans.Any(s => s.Source.Name == "System.Net.Http") &&
                 spans.Count(s => s.Kind == ActivityKind.Server) >= 2;

    [Fact]
    public async Task A_chat_is_one_trace_from_the_gateway_through_its_chat_span_to_the_upstream_with_genai_attributes()
    {
        using var spans = Spans();
        var trace = TestTrace.New();
        fx.Upstream.Enqueue(FakeReply.Text("hello", promptTokens: 13, completionTokens: 5));
        using var http = fx.Http();
        using var response = await http.SendAsync(trace.Post("/v1/chat/completions", Chat));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var trail = await spans.WaitAsync(trace.Id, HasChatAndHttpSpans, "gateway server, chat, HTTP client and upstream server spans");
        var server = trail.Single(s => s.Kind == ActivityKind.Server && s.ParentSpanId == trace.Root);
        var chat = trail.Single(s => s.Source.Name == GatewayTelemetry.Name);
        var call = trail.Single(s => s.Source.Name == "System.Net.Http");
        var upstream = trail.Single(s => s.Kind == ActivityKind.Server && s != server);

        Assert.Equal(server.SpanId, chat.ParentSpanId);
        Assert.Equal(chat.SpanId, call.ParentSpanId);
        Assert.Equal(call.SpanId, upstream.ParentSpanId); // traceparent reached the upstream
        Assert.Equal(ActivityKind.Client, chat.Kind);
        Assert.Equal("chat fake-model", chat.DisplayName);
        Assert.Equal("chat", chat.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("openai-compatible", chat.GetTagItem("gen_ai.provider.name"));
        Assert.Equal("openai-compatible", chat.GetTagItem("gen_ai.system"));
        Assert.Equal("fake-model", chat.GetTagItem("gen_ai.request.model"));
        Assert.Equal("fake-model", chat.GetTagItem("gen_ai.response.model"));
        Assert.Equal(13L, chat.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(5L, chat.GetTagItem("gen_ai.usage.output_tokens"));
        Assert.Equal(["stop"], (string[])chat.GetTagItem("gen_ai.response.finish_reasons")!);
        Assert.Equal(50, chat.GetTagItem("gen_ai.request.max_tokens"));
        Assert.Equal(0.5, chat.GetTagItem("gen_ai.request.temperature"));
        Assert.Equal(false, chat.GetTagItem("gen_ai.request.stream"));
        Assert.Equal(fx.Upstream.BaseUrl.Host, chat.GetTagItem("server.address"));
        Assert.Equal(fx.Upstream.BaseUrl.Port, chat.GetTagItem("server.port"));
        Assert.Null(chat.GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Unset, chat.Status);
    }

    [Fact]
    public async Task A_streamed_chat_records_its_time_to_first_chunk_and_usage()
    {
        using var spans = Spans();
        using var meters = Meters();
        var trace = TestTrace.New();
        fx.Upstream.Enqueue(FakeReply.Text("streamed words", promptTokens: 9, completionTokens: 3));
        using var http = fx.Http();
        using var response = await http.SendAsync(trace.Post("/v1/chat/completions", StreamedChat), HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("[DONE]", body, StringComparison.Ordinal);

        var chat = (await spans.WaitAsync(trace.Id, HasChatAndHttpSpans, "the streamed chat span")).Single(s => s.Source.Name == GatewayTelemetry.Name);
        Assert.Equal(true, chat.GetTagItem("gen_ai.request.stream"));
        Assert.IsType<double>(chat.GetTagItem("gen_ai.response.time_to_first_chunk"));
        Assert.Equal(9L, chat.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(3L, chat.GetTagItem("gen_ai.usage.output_tokens"));

        var ttft = Assert.Single(meters.Of("gen_ai.client.operation.time_to_first_chunk"));
        Assert.Equal("openai-compatible", ttft["gen_ai.provider.name"]);
        Assert.True(ttft.Value >= 0);
        Assert.Contains(meters.Of("gen_ai.client.token.usage"), m => m["gen_ai.token.type"] as string == "output" && m.Value == 3);
    }

    [Fact]
    public async Task A_responses_call_gets_the_same_chat_span_and_is_counted_on_its_route()
    {
        using var spans = Spans();
        using var meters = Meters();
        var trace = TestTrace.New();
        fx.Upstream.Enqueue(FakeReply.Text("answer", promptTokens: 21, completionTokens: 4));
        using var http = fx.Http();
        using var response = await http.SendAsync(trace.Post("/v1/responses", """{"model":"openai-compatible/fake-model","input":"hi","store":false}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var chat = (await spans.WaitAsync(trace.Id, HasChatAndHttpSpans, "the responses chat span")).Single(s => s.Source.Name == GatewayTelemetry.Name);
        Assert.Equal("chat", chat.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("fake-model", chat.GetTagItem("gen_ai.request.model"));
        Assert.Equal(21L, chat.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(4L, chat.GetTagItem("gen_ai.usage.output_tokens"));

        var counted = Assert.Single(meters.Of(GatewayTelemetry.RequestsInstrument));
        Assert.Equal("/v1/responses", counted["http.route"]);
        Assert.Equal("openai-compatible", counted["gen_ai.provider.name"]);
        Assert.Equal(200, counted["http.response.status_code"]);
    }

    [Fact]
    public async Task An_upstream_failure_marks_the_span_and_the_metrics_with_the_status_the_client_got()
    {
        using var spans = Spans();
        using var meters = Meters();
        var trace = TestTrace.New();
        fx.Upstream.Enqueue(FakeReply.Error(500, "boom", "server_error"));
        using var http = fx.Http();
        using var response = await http.SendAsync(trace.Post("/v1/chat/completions", Chat));
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);

        var chat = (await spans.WaitAsync(trace.Id, HasChatAndHttpSpans, "the failed chat span")).Single(s => s.Source.Name == GatewayTelemetry.Name);
        Assert.Equal(ActivityStatusCode.Error, chat.Status);
        Assert.Equal("502", chat.GetTagItem("error.type"));

        var duration = Assert.Single(meters.Of("gen_ai.client.operation.duration"));
        Assert.Equal("502", duration["error.type"]);
        var counted = Assert.Single(meters.Of(GatewayTelemetry.RequestsInstrument));
        Assert.Equal(502, counted["http.response.status_code"]);
        Assert.Equal("/v1/chat/completions", counted["http.route"]);
    }

    [Fact]
    public async Task Requests_tokens_and_upstream_latency_are_measured_per_route_provider_and_status()
    {
        using var meters = Meters();
        fx.Upstream.Enqueue(FakeReply.Text("hello", promptTokens: 11, completionTokens: 7));
        using var http = fx.Http();
        var (ok, _) = await Wire.PostAsync(http, "/v1/chat/completions", Chat);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var (missing, _) = await Wire.PostAsync(http, "/v1/chat/completions", """{"model":"nosuch/model","messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var (onPath, _) = await Wire.PostAsync(http, "/vllm/v1/chat/completions", Chat); // vLLM is unreachable in this fixture
        Assert.Equal(HttpStatusCode.BadGateway, onPath.StatusCode);

        var requests = meters.Of(GatewayTelemetry.RequestsInstrument);
        Assert.Equal(3, requests.Count);
        Assert.Contains(requests, r => r["http.route"] as string == "/v1/chat/completions" && r["gen_ai.provider.name"] as string == "openai-compatible" &&
                                       (int)r["http.response.status_code"]! == 200 && r["http.request.method"] as string == "POST");
        Assert.Contains(requests, r => r["http.route"] as string == "/v1/chat/completions" && r["gen_ai.provider.name"] is null &&
                                       (int)r["http.response.status_code"]! == 404);
        Assert.Contains(requests, r => r["http.route"] as string == "/{provider:provider}/v1/chat/completions" && r["gen_ai.provider.name"] as string == "vllm" &&
                                       (int)r["http.response.status_code"]! == 502);

        var tokens = meters.Of("gen_ai.client.token.usage");
        Assert.Contains(tokens, t => t["gen_ai.token.type"] as string == "input" && t.Value == 11 && t["gen_ai.provider.name"] as string == "openai-compatible"
                                     && t["gen_ai.request.model"] as string == "fake-model");
        Assert.Contains(tokens, t => t["gen_ai.token.type"] as string == "output" && t.Value == 7);

        var durations = meters.Of("gen_ai.client.operation.duration");
        Assert.Contains(durations, d => d["gen_ai.provider.name"] as string == "openai-compatible" && d["error.type"] is null && d.Value > 0);
        Assert.Contains(durations, d => d["gen_ai.provider.name"] as string == "vllm" && d["error.type"] as string == "502");
        Assert.Empty(meters.Of("gen_ai.client.operation.time_to_first_chunk")); // no stream here
    }

    [Fact]
    public async Task Health_probes_are_not_counted()
    {
        using var meters = Meters();
        using var http = fx.Gateway.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/alive")).StatusCode);
        Assert.Empty(meters.Of(GatewayTelemetry.RequestsInstrument));
    }
}

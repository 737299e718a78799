using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json.Nodes;
using AbstractCore.Api.Telemetry;
using AbstractCore.Inference.Scheduling;
using AbstractCore.Inference.Telemetry;
using AbstractCore.Inference.Tests.Gateway;
using AbstractCore.Inference.Tests.Infrastructure;
using AbstractCore.TestKit.Telemetry;
using OpenAI.Chat;

namespace AbstractCore.Inference.Tests.Telemetry;

/// <summary>
/// One request followed from the gateway to the Inference service: the gateway's HTTP call (made by its instrumented
/// provider client) carries <c>traceparent</c>, Inference's server span continues it, and its generation span carries
/// the GenAI attributes. Inference's meter measures requests, tokens and first tokens, and its scheduler's queue.
/// </summary>
public sealed class InferenceTelemetryTests(SingleSlotGatewayFixture fixture) : IClassFixture<SingleSlotGatewayFixture>
{
    private MeterCollector Meters() => new(fixture.Inference.Service<IMeterFactory>(), InferenceTelemetry.Name);

    [Fact]
    public async Task A_gateway_chat_to_onnx_is_one_trace_down_to_the_generation_span()
    {
        using var spans = new SpanCollector("Microsoft.AspNetCore", "System.Net.Http", GatewayTelemetry.Name, InferenceTelemetry.Name);
        var trace = TestTrace.New();
        using var http = fixture.Gateway.Http();
        using var response = await http.SendAsync(trace.Post("v1/chat/completions",
            """{"model":"onnx/tiny","messages":[{"role":"user","content":"Hi"}],"max_tokens":64,"temperature":0}"""));
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var usage = JsonNode.Parse(text)!["usage"]!;

        var trail = await spans.WaitAsync(trace.Id, s => s.Any(a => a.Source.Name == InferenceTelemetry.Name) &&
            s.Any(a => a.Source.Name == GatewayTelemetry.Name) && s.Count(a => a.Kind == ActivityKind.Server) == 2, "the gateway's and Inference's spans");
        var gatewayServer = trail.Single(s => s.Kind == ActivityKind.Server && s.ParentSpanId == trace.Root);
        var gatewayChat = trail.Single(s => s.Source.Name == GatewayTelemetry.Name);
        var call = trail.Single(s => s.Source.Name == "System.Net.Http");
        var inferenceServer = trail.Single(s => s.Kind == ActivityKind.Server && s != gatewayServer);
        var generation = trail.Single(s => s.Source.Name == InferenceTelemetry.Name);

        Assert.Equal(gatewayServer.SpanId, gatewayChat.ParentSpanId);
        Assert.Equal(gatewayChat.SpanId, call.ParentSpanId);
        Assert.Equal(call.SpanId, inferenceServer.ParentSpanId); // Inference continues the gateway's outgoing HTTP span
        Assert.Equal(inferenceServer.SpanId, generation.ParentSpanId);

        Assert.Equal("onnx", gatewayChat.GetTagItem("gen_ai.provider.name"));
        Assert.Equal("tiny", gatewayChat.GetTagItem("gen_ai.request.model"));
        Assert.Equal("chat tiny", generation.DisplayName);
        Assert.Equal("chat", generation.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("onnx", generation.GetTagItem("gen_ai.provider.name"));
        Assert.Equal("tiny", generation.GetTagItem("gen_ai.request.model"));
        Assert.Equal("tiny", generation.GetTagItem("gen_ai.response.model"));
        Assert.Equal(64, generation.GetTagItem("gen_ai.request.max_tokens"));
        Assert.Equal(false, generation.GetTagItem("gen_ai.request.stream"));
        Assert.Equal((int)usage["prompt_tokens"]!, generation.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal((int)usage["completion_tokens"]!, generation.GetTagItem("gen_ai.usage.output_tokens"));
        Assert.Equal(["stop"], (string[])generation.GetTagItem("gen_ai.response.finish_reasons")!);
        Assert.IsType<double>(generation.GetTagItem("abstractcore.inference.queue_wait"));
        // The gateway saw the same usage the service reported.
        Assert.Equal((long)(int)usage["prompt_tokens"]!, gatewayChat.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal((long)(int)usage["completion_tokens"]!, gatewayChat.GetTagItem("gen_ai.usage.output_tokens"));
    }

    [Fact]
    public async Task A_stream_records_time_to_first_token_request_duration_and_tokens()
    {
        using var meters = Meters();
        var (response, events) = await Wire.StreamAsync(fixture.Inference.Http, "v1/chat/completions",
            """{"model":"tiny","messages":[{"role":"user","content":"Hi"}],"stream":true,"stream_options":{"include_usage":true}}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var usage = JsonNode.Parse(events[^2])!["usage"]!;

        var ttft = Assert.Single(meters.Of("gen_ai.server.time_to_first_token"));
        Assert.Equal("tiny", ttft["gen_ai.request.model"]);
        var duration = Assert.Single(meters.Of("gen_ai.server.request.duration"));
        Assert.True(duration.Value >= ttft.Value);
        Assert.Null(duration["error.type"]);
        var tokens = meters.Of(InferenceTelemetry.TokenUsageInstrument);
        Assert.Contains(tokens, t => t["gen_ai.token.type"] as string == "input" && t.Value == (int)usage["prompt_tokens"]!);
        Assert.Contains(tokens, t => t["gen_ai.token.type"] as string == "output" && t.Value == (int)usage["completion_tokens"]!);
    }

    [Fact]
    public async Task The_scheduler_gauges_show_running_and_queued_requests_per_model()
    {
        using var meters = Meters();
        var gate = fixture.Inference.Service<Scheduler>().For(TestModels.Tiny);
        var held = await gate.EnterAsync(CancellationToken.None); // the one slot is busy
        Task<System.ClientModel.ClientResult<ChatCompletion>> waiting;
        try
        {
            waiting = fixture.Gateway.Chat("onnx/tiny").CompleteChatAsync([new UserChatMessage("Hi")]);
            await Eventually.TrueAsync(() => gate.Waiting == 1, "the request queues");
            meters.Observe();
            Assert.Equal(1, meters.Of(InferenceTelemetry.RunningInstrument).Single(m => m["gen_ai.request.model"] as string == "tiny").Value);
            Assert.Equal(1, meters.Of(InferenceTelemetry.QueuedInstrument).Single(m => m["gen_ai.request.model"] as string == "tiny").Value);
        }
        finally
        {
            held.Dispose();
        }

        await waiting;
        meters.Clear();
        meters.Observe();
        Assert.Equal(0, meters.Of(InferenceTelemetry.RunningInstrument).Single(m => m["gen_ai.request.model"] as string == "tiny").Value);
        Assert.Equal(0, meters.Of(InferenceTelemetry.QueuedInstrument).Single(m => m["gen_ai.request.model"] as string == "tiny").Value);
    }

    [Fact]
    public async Task A_refused_request_is_measured_with_its_status()
    {
        using var meters = Meters();
        var (response, _) = await Wire.PostAsync(fixture.Inference.Http, "v1/chat/completions", """{"model":"nosuch","messages":[{"role":"user","content":"Hi"}]}""");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("404", Assert.Single(meters.Of("gen_ai.server.request.duration"))["error.type"]);
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using AbstractCore.Aliases;
using AbstractCore.Chat;
using AbstractCore.Chat.AgentFormats;
using AbstractCore.OpenAI.Chat;
using AbstractCore.OpenAI.Json;
using AbstractCore.Pipeline;
using AbstractCore.Providers;
using AbstractCore.Providers.Anthropic;
using AbstractCore.Providers.Ollama;
using AbstractCore.Providers.OpenAICompatible;
using AbstractCore.Tests.Security;
using Microsoft.Extensions.Configuration;

namespace AbstractCore.Tests.Pipeline;

/// <summary>
/// Plans built from plain inputs, no HTTP server and no HttpContext: which lane a request takes, the order its checks
/// run in (the first failure is the one answered), the deadline, the warnings and the agent format.
/// </summary>
public sealed class ChatPlannerTests
{
    private static readonly UpstreamHttp Http = new(FakeDns.Never);
    private static readonly ChatCaller Anonymous = new(null, false, null);
    private const string PublicUrl = "http://93.184.216.34/v1";

    [Theory]
    [InlineData("lmstudio/m", null, null)]
    [InlineData("openai-compatible/m", "auto", null)]
    [InlineData("lmstudio/m", "passthrough", null)]
    [InlineData("lmstudio/m", null, "codex_cli_rs/0.40")]
    [InlineData("lmstudio/m", "bogus", null)] // an unknown format falls back to auto-detection: structured calls
    public async Task OpenAI_compatible_upstreams_with_structured_calls_are_relayed(string model, string? format, string? userAgent)
    {
        var planner = Planner(new() { ["OPENAI_COMPATIBLE_BASE_URL"] = "http://localhost:8000/v1" });
        var request = Request(model, new() { ["agent_format"] = format });

        var plan = await planner.PlanRelayAsync(planner.Route(model, null), request, toolsOffered: true, Anonymous with { UserAgent = userAgent }, default);

        Assert.NotNull(plan);
        Assert.Equal(ChatLane.Relay, plan.Lane);
        Assert.True(plan.ToolsOffered);
        Assert.Same(request, plan.Request);
    }

    [Theory]
    [InlineData("anthropic/claude-x", null)]
    [InlineData("ollama/llama3", null)]
    [InlineData("lmstudio/m", "xml")]
    [InlineData("lmstudio/m", "qwen3")]
    public async Task Other_protocols_and_text_formats_go_to_the_translating_lane(string model, string? format)
    {
        var planner = Planner([]);
        var request = Request(model, new() { ["agent_format"] = format });
        var route = planner.Route(model, null);

        Assert.False(ChatPlanner.Relays(route, request.AgentFormat, null));
        Assert.Null(await planner.PlanRelayAsync(route, request, toolsOffered: false, Anonymous, default));
    }

    [Fact]
    public async Task Declining_to_relay_runs_no_check()
    {
        // Each would be refused if planned: a server-held key without auth, unload_after on Ollama, a bad thinking value.
        var planner = Planner(new() { ["ANTHROPIC_API_KEY"] = "sk-server" });
        (string Model, Dictionary<string, JsonNode?> Fields)[] requests =
        [
            ("anthropic/claude-x", new() { ["thinking"] = "loud" }),
            ("ollama/llama3", new() { ["unload_after"] = true }),
            ("lmstudio/m", new() { ["agent_format"] = "gemma", ["thinking"] = "loud" }),
        ];

        foreach (var (model, fields) in requests)
        {
            Assert.Null(await planner.PlanRelayAsync(planner.Route(model, null), Request(model, fields), false, Anonymous, default));
        }
    }

    [Fact]
    public async Task The_translating_lane_plans_every_protocol()
    {
        var planner = Planner(new() { ["ANTHROPIC_API_KEY"] = "sk-server" });
        foreach (var model in new[] { "anthropic/claude-x", "ollama/llama3", "lmstudio/m" })
        {
            var plan = await PlanAsync(planner, model, [], Anonymous with { Authenticated = true });

            Assert.Equal(ChatLane.Translating, plan.Lane);
            Assert.Equal(model, plan.Model.ToString());
            Assert.Equal(plan.Model.Model, plan.Options.ModelId);
            Assert.Empty(plan.Thinking);
        }
    }

    [Fact]
    public async Task The_relay_lane_carries_the_thinking_fields_in_the_providers_dialect()
    {
        var planner = Planner([]);
        var plan = await planner.PlanRelayAsync(
            planner.Route("lmstudio/m", null), Request("lmstudio/m", new() { ["reasoning_effort"] = "low" }), false, Anonymous, default);

        Assert.Equal(("reasoning_effort", "\"low\""), Assert.Single(plan!.Thinking));
        Assert.Null(plan.Options.ModelId); // a relay sends the client's body, not options
    }

    [Fact]
    public async Task A_request_check_is_answered_before_the_server_key_guard()
    {
        var planner = Planner(new() { ["ANTHROPIC_API_KEY"] = "sk-server", ["OPENAI_API_KEY"] = "sk-server" });

        var translating = await Assert.ThrowsAsync<GatewayException>(() =>
            PlanAsync(planner, "anthropic/claude-x", new() { ["response_format"] = "json" }, Anonymous));
        Assert.Equal((400, "response_format"), (translating.Status, translating.Param));

        var relayed = await Assert.ThrowsAsync<GatewayException>(() => planner.PlanRelayAsync(
            planner.Route("openai/gpt-4o", null), Request("openai/gpt-4o", new() { ["thinking"] = "loud" }), false, Anonymous, default));
        Assert.Equal((400, "thinking"), (relayed.Status, relayed.Param));

        // Without the request's mistake, the guard is what answers.
        var guarded = await Assert.ThrowsAsync<GatewayException>(() => PlanAsync(planner, "anthropic/claude-x", [], Anonymous));
        Assert.Equal((401, ServerKeyGuard.UnauthenticatedCode), (guarded.Status, guarded.Code));
    }

    [Fact]
    public async Task The_server_key_guard_is_answered_before_base_url()
    {
        var planner = Planner(new() { ["ANTHROPIC_API_KEY"] = "sk-server" });

        var e = await Assert.ThrowsAsync<GatewayException>(() =>
            PlanAsync(planner, "anthropic/claude-x", new() { ["base_url"] = PublicUrl }, Anonymous));

        Assert.Equal((401, ServerKeyGuard.UnauthenticatedCode), (e.Status, e.Code));
    }

    [Fact]
    public async Task Unload_after_is_refused_only_after_the_other_checks()
    {
        var planner = Planner([]);
        var unload = new Dictionary<string, JsonNode?> { ["unload_after"] = true };

        var mapping = await Assert.ThrowsAsync<GatewayException>(() =>
            PlanAsync(planner, "ollama/llama3", new(unload) { ["response_format"] = "json" }, Anonymous));
        Assert.Equal((400, "response_format"), (mapping.Status, mapping.Param));

        var baseUrl = await Assert.ThrowsAsync<GatewayException>(() =>
            PlanAsync(planner, "ollama/llama3", new(unload) { ["base_url"] = PublicUrl }, Anonymous));
        Assert.Equal((403, "base_url"), (baseUrl.Status, baseUrl.Param));

        var refused = await Assert.ThrowsAsync<GatewayException>(() => PlanAsync(planner, "ollama/llama3", unload, Anonymous));
        Assert.Equal((403, "unload_after"), (refused.Status, refused.Param));

        var allowed = await PlanAsync(Planner([], allowUnsafeUnload: true), "ollama/llama3", unload, Anonymous);
        Assert.True(allowed.UnloadAfter);
        Assert.Empty(allowed.Warnings);
    }

    [Theory]
    [InlineData(null, 10.0)]
    [InlineData(30.0, 30.0)]
    [InlineData(0.5, 0.5)]
    [InlineData(1000.0, 120.0)] // capped at 12× the server's
    [InlineData(0.0, -0.001)] // 0 or less: no deadline (Timeout.InfiniteTimeSpan)
    [InlineData(-5.0, -0.001)]
    public async Task The_deadline_is_timeout_s_capped_at_twelve_times_the_servers(double? timeoutS, double seconds)
    {
        var planner = Planner([], timeout: TimeSpan.FromSeconds(10));
        var fields = new Dictionary<string, JsonNode?> { ["timeout_s"] = timeoutS };

        var translating = await PlanAsync(planner, "lmstudio/m", fields, Anonymous);
        var relayed = await planner.PlanRelayAsync(planner.Route("lmstudio/m", null), Request("lmstudio/m", fields), false, Anonymous, default);

        Assert.Equal(TimeSpan.FromSeconds(seconds), translating.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(seconds), relayed!.Timeout);
    }

    [Fact]
    public async Task Warnings_are_collected_in_the_order_the_checks_ran()
    {
        var planner = Planner([]);
        var plan = await PlanAsync(
            planner, "anthropic/claude-x", new() { ["seed"] = 1, ["unload_after"] = true }, Anonymous with { ProviderKey = "sk-own" });

        Assert.Equal(2, plan.Warnings.Count);
        Assert.Contains("seed", plan.Warnings[0], StringComparison.Ordinal);
        Assert.Equal("unload_after has no effect for provider 'anthropic'", plan.Warnings[1]);
        Assert.Equal(plan.Warnings[0] + "; " + plan.Warnings[1], plan.Warning);
        Assert.Equal("sk-own", plan.Endpoint.ApiKey);

        Assert.Null((await PlanAsync(planner, "lmstudio/m", [], Anonymous)).Warning);
    }

    [Fact]
    public async Task An_unknown_agent_format_falls_back_to_auto_detection_with_a_warning()
    {
        var planner = Planner([]);
        var fields = new Dictionary<string, JsonNode?> { ["agent_format"] = "bogus", ["seed"] = 1 };

        var translating = await PlanAsync(planner, "anthropic/claude-x", fields, Anonymous with { ProviderKey = "sk-own", UserAgent = "codex_cli_rs/0.40" });
        var relayed = await planner.PlanRelayAsync(planner.Route("lmstudio/m", null), Request("lmstudio/m", fields), false, Anonymous, default);

        Assert.Equal(AgentFormat.Codex, translating.Format);
        Assert.Equal(2, translating.Warnings.Count);
        Assert.Contains("seed", translating.Warnings[0], StringComparison.Ordinal);
        Assert.Equal("agent_format 'bogus' is not one of auto, openai, codex, qwen3, llama3, gemma, xml, passthrough; auto-detection used",
            translating.Warnings[1]);
        Assert.Equal(AgentFormat.OpenAI, relayed!.Format);
        Assert.Equal(translating.Warnings[1], Assert.Single(relayed.Warnings));
    }

    [Fact]
    public async Task A_binding_is_checked_after_the_key_guard_and_its_400_keeps_the_warnings()
    {
        var planner = Planner(new() { ["ANTHROPIC_API_KEY"] = "sk-server" });

        var guarded = await Assert.ThrowsAsync<GatewayException>(() =>
            PlanAsync(planner, "anthropic/claude-x", new() { ["prompt_cache_binding"] = 42 }, Anonymous));
        Assert.Equal(401, guarded.Status);

        var invalid = await Assert.ThrowsAsync<GatewayException>(() => PlanAsync(
            planner, "anthropic/claude-x", new() { ["prompt_cache_binding"] = 42, ["seed"] = 1 }, Anonymous with { Authenticated = true }));
        Assert.Equal((400, "prompt_cache_binding_invalid"), (invalid.Status, invalid.Code));
        Assert.Contains("seed", invalid.Headers![ChatPlan.WarningHeader], StringComparison.Ordinal);

        var unsupported = await Assert.ThrowsAsync<GatewayException>(() =>
            planner.PlanRelayAsync(planner.Route("lmstudio/m", null), Request("lmstudio/m", new() { ["prompt_cache_binding"] = "b" }), false, Anonymous, default));
        Assert.Equal((400, "prompt_cache_binding_unsupported"), (unsupported.Status, unsupported.Code));
        Assert.Null(unsupported.Headers);
    }

    [Fact]
    public async Task A_binding_for_the_local_runtime_is_normalised_into_the_relayed_fields_or_the_forwarded_extras()
    {
        var planner = Planner(new() { ["ABSTRACTCORE_INFERENCE_URL"] = "http://localhost:5199" });
        var fields = new Dictionary<string, JsonNode?> { ["prompt_cache_binding"] = "bind_1", ["prompt_cache_key"] = " k " };

        var relayed = await planner.PlanRelayAsync(planner.Route("onnx/m", null), Request("onnx/m", fields), false, Anonymous, default);
        Assert.Equal(
            [("prompt_cache_key", "\"k\""), ("prompt_cache_binding", """{"binding_id":"bind_1","key":"k"}""")],
            relayed!.Thinking);

        var translating = await PlanAsync(planner, "onnx/m", fields, Anonymous);
        Assert.Empty(translating.Thinking);
        Assert.Equal("k", translating.Request.Extra!["prompt_cache_key"].GetString());
        Assert.Equal("""{"binding_id":"bind_1","key":"k"}""", translating.Request.Extra["prompt_cache_binding"].GetRawText());

        // No binding: the key is the client's, untouched, and nothing is added.
        var plain = await planner.PlanRelayAsync(planner.Route("onnx/m", null), Request("onnx/m", new() { ["prompt_cache_key"] = " k " }), false, Anonymous, default);
        Assert.Empty(plain!.Thinking);
        Assert.Equal(" k ", plain.Request.Extra!["prompt_cache_key"].GetString());
    }

    [Theory]
    [InlineData(null, null, AgentFormat.OpenAI)]
    [InlineData("auto", "codex_cli_rs/0.40", AgentFormat.Codex)]
    [InlineData(null, "Codex/1.0", AgentFormat.Codex)]
    [InlineData("openai", "codex_cli_rs/0.40", AgentFormat.OpenAI)] // the request's field wins over the user agent
    [InlineData("xml", null, AgentFormat.Xml)]
    [InlineData("llama3", "codex_cli_rs/0.40", AgentFormat.Llama3)]
    public async Task The_agent_format_is_the_requests_field_else_the_user_agents(string? field, string? userAgent, AgentFormat expected)
    {
        var planner = Planner([]);
        var plan = await PlanAsync(planner, "lmstudio/m", new() { ["agent_format"] = field }, Anonymous with { UserAgent = userAgent });

        Assert.Equal(expected, plan.Format);
    }

    private static ChatPlanner Planner(Dictionary<string, string?> settings, bool allowUnsafeUnload = false, TimeSpan? timeout = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var backends = new ChatBackends(
        [
            new OpenAICompatibleBackend(new OpenAIChatClients(Http), new ProviderModels(Http)),
            new OllamaBackend(Http),
            new AnthropicBackend(Http),
        ]);
        return new ChatPlanner(
            new ProviderResolver(configuration, FakeDns.Never), backends,
            new ChatPlanSettings(timeout ?? TimeSpan.FromMinutes(10), allowUnsafeUnload), ModelAliases.None);
    }

    private static Task<ChatPlan> PlanAsync(ChatPlanner planner, string model, Dictionary<string, JsonNode?> fields, ChatCaller caller)
    {
        var request = Request(model, fields);
        return planner.PlanAsync(planner.Route(model, null), request, ChatMessageConverter.Convert(request.Messages!), caller, default);
    }

    /// <summary>A bound chat body: one user message plus <paramref name="fields"/> (null values left out).</summary>
    private static ChatCompletionRequest Request(string model, Dictionary<string, JsonNode?> fields)
    {
        var body = new JsonObject
        {
            ["model"] = model,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hi" }),
        };
        foreach (var (name, value) in fields)
        {
            if (value is not null)
            {
                body[name] = value.DeepClone();
            }
        }

        return JsonSerializer.Deserialize(body.ToJsonString(), OpenAIJsonContext.Wire.ChatCompletionRequest)!;
    }
}

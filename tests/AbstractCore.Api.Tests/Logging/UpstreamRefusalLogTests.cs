using System.Net;
using AbstractCore.Api.Logging;
using AbstractCore.Api.Tests.Auth;
using AbstractCore.Api.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace AbstractCore.Api.Tests.Logging;

/// <summary>An upstream's 4xx reaches the operator's log: once per request, with provider, model, status and code,
/// never the key, and a flood is capped.</summary>
public sealed class UpstreamRefusalLogTests : IAsyncLifetime
{
    private const string UpstreamKey = "sk-upstream-secret-key";
    private LoggedGateway _gw = null!;

    public async Task InitializeAsync() => _gw = await LoggedGateway.StartAsync(upstream => new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = GatewayFixture.Token,
            ["OPENAI_COMPATIBLE_BASE_URL"] = upstream,
            ["OPENAI_COMPATIBLE_API_KEY"] = UpstreamKey,
        });

    public async Task DisposeAsync() => await _gw.DisposeAsync();

    private List<string> Refusals() =>
        [.. _gw.Logs.Entries.Where(e => e.Category == typeof(UpstreamRefusals).FullName && e.Level == LogLevel.Warning).Select(e => e.Line)];

    private async Task<HttpStatusCode> ChatAsync(bool stream = false)
    {
        using var http = _gw.CreateClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", GatewayFixture.Token);
        var (response, _) = await Wire.PostAsync(http, "/v1/chat/completions",
            $$"""{"model":"{{GatewayFixture.Model}}","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hi"}]}""");
        return response.StatusCode;
    }

    [Theory]
    [InlineData(401, "invalid_api_key", false)]
    [InlineData(401, "invalid_api_key", true)]
    [InlineData(404, "model_not_found", false)]
    [InlineData(429, "rate_limit_exceeded", false)]
    public async Task A_refusal_is_logged_once_with_provider_model_status_and_code_never_the_key(int status, string code, bool stream)
    {
        _gw.Upstream.Enqueue(FakeReply.Error(status, $"Incorrect API key provided: {UpstreamKey}", code: code));

        Assert.Equal((HttpStatusCode)status, await ChatAsync(stream));

        var line = Assert.Single(Refusals());
        Assert.Contains("Provider openai-compatible refused a request for openai-compatible/fake-model", line, StringComparison.Ordinal);
        Assert.Contains($"HTTP {status}, code {code}", line, StringComparison.Ordinal);
        Assert.DoesNotContain(UpstreamKey, _gw.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_flood_of_refusals_is_capped_per_provider_and_status()
    {
        for (var i = 0; i < UpstreamRefusals.PerMinute + 4; i++)
        {
            _gw.Upstream.Enqueue(FakeReply.Error(401, "bad key", code: "invalid_api_key"));
            Assert.Equal(HttpStatusCode.Unauthorized, await ChatAsync());
        }

        var lines = Refusals();
        Assert.Equal(UpstreamRefusals.PerMinute, lines.Count);
        Assert.Contains("only counted", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void The_next_minute_sums_up_what_was_only_counted()
    {
        var clock = new ManualClock();
        using var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        var refusals = new UpstreamRefusals(factory.CreateLogger<UpstreamRefusals>(), clock);

        for (var i = 0; i < UpstreamRefusals.PerMinute + 3; i++)
        {
            refusals.Note("openrouter", "openrouter/x", 429, "rate_limit_exceeded");
        }

        refusals.Note("openrouter", "openrouter/x", 401, "invalid_api_key"); // its own budget
        clock.Now += TimeSpan.FromMinutes(1);
        refusals.Note("openrouter", "openrouter/x", 429, "rate_limit_exceeded");

        var lines = logs.Lines.Select(l => l.Line).ToList();
        Assert.Equal(UpstreamRefusals.PerMinute + 3, lines.Count);
        Assert.Single(lines, l => l.StartsWith("3 more HTTP 429 refusals from provider openrouter", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("HTTP 401", StringComparison.Ordinal));
    }

    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }
}

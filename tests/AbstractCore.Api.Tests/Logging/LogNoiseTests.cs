using System.Net;
using System.Net.Http.Json;
using AbstractCore.Api.Models;
using AbstractCore.Api.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace AbstractCore.Api.Tests.Logging;

/// <summary>
/// The shipped logging defaults (built in: AbstractCore.Api/Logging/LoggingDefaults.cs, no appsettings.json): ASP.NET Core's per-request Information lines
/// are off, and listing models does not warn on every call about local servers nobody configured.
/// </summary>
public sealed class LogNoiseTests : IAsyncLifetime
{
    private LoggedGateway _gw = null!;

    public async Task InitializeAsync() => _gw = await LoggedGateway.StartAsync(upstream => new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = GatewayFixture.Token,
            ["OPENAI_COMPATIBLE_BASE_URL"] = upstream,
            ["OPENAI_COMPATIBLE_API_KEY"] = "upstream-key",
            // The test factory lowers every category to Warning; undo that so only the shipped defaults decide.
            ["Logging:LogLevel:Default"] = "Information",
            [$"Logging:LogLevel:{typeof(ModelDiscovery).FullName}"] = "Debug",
        });

    public async Task DisposeAsync() => await _gw.DisposeAsync();

    [Fact]
    public async Task A_chat_request_at_the_shipped_defaults_writes_no_AspNetCore_information()
    {
        using var http = _gw.CreateClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", GatewayFixture.Token);

        var response = await http.PostAsJsonAsync("/v1/chat/completions",
            new { model = GatewayFixture.Model, messages = new[] { new { role = "user", content = "hi" } } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // Information is on by default (the host's own lifetime lines are there), just not ASP.NET Core's per-request lines.
        Assert.Contains(_gw.Logs.Entries, e => e.Level == LogLevel.Information && !e.Category.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        var aspNetCore = _gw.Logs.Entries.Where(e => e.Category.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) && e.Level < LogLevel.Warning);
        Assert.Empty(aspNetCore.Select(e => e.Category + ": " + e.Line));
    }

    [Fact]
    public async Task Without_exported_tracing_no_trace_context_is_sent_upstream()
    {
        using var http = _gw.CreateClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", GatewayFixture.Token);
        foreach (var stream in (bool[])[false, true])
        {
            var response = await http.PostAsJsonAsync("/v1/chat/completions",
                new { model = GatewayFixture.Model, stream, messages = new[] { new { role = "user", content = "hi" } } });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await response.Content.ReadAsStringAsync();
        }

        var chats = _gw.Upstream.Requests.Where(r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, chats.Count);
        Assert.All(chats, r => Assert.DoesNotContain(r.Headers.Keys, k => k.Equals("traceparent", StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public async Task Unconfigured_local_providers_are_noted_once_at_debug_not_warned_on_every_listing()
    {
        using var http = _gw.CreateClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", GatewayFixture.Token);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/v1/models")).StatusCode);
        }

        var discovery = _gw.Logs.Entries.Where(e => e.Category == typeof(ModelDiscovery).FullName).ToList();
        Assert.DoesNotContain(discovery, e => e.Level >= LogLevel.Warning);
        foreach (var local in (string[])["ollama", "lmstudio"])
        {
            Assert.Single(discovery, e => e.Level == LogLevel.Debug && e.Line.Contains($"Provider {local} ", StringComparison.Ordinal));
        }
    }
}

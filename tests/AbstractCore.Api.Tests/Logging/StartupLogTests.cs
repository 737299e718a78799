using AbstractCore.Api.Hosting;
using AbstractCore.Api.Tests.Auth;
using AbstractCore.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AbstractCore.Api.Tests.Logging;

/// <summary>The startup lines on real Kestrel: address, providers and aliases (names only), config file, and the auth Warning.</summary>
public sealed class StartupLogTests
{
    private const string ProviderKey = "sk-startup-provider-secret";
    private const string AliasKey = "sk-startup-alias-secret";

    private static async Task<(List<(LogLevel Level, string Line)> Lines, string Address, string All)> StartAsync(string? token)
    {
        using var logs = new CapturingLoggerProvider();
        var settings = new Dictionary<string, string?>
        {
            ["URLS"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Information", // the shipped default, not the test factory's Warning
            ["OPENAI_COMPATIBLE_BASE_URL"] = "http://127.0.0.1:1/v1",
            ["OPENROUTER_API_KEY"] = ProviderKey,
            ["ALIAS_KEY"] = AliasKey,
            ["ABSTRACTCORE_MODEL_ALIASES"] = """
                {"team/smart": {"deployments": [{"name": "a", "model": "vllm/m", "base_url": "http://10.9.8.7:1234/v1", "api_key_env": "ALIAS_KEY"},
                                                {"name": "b", "model": "openrouter/openai/gpt-4o-mini"}]}}
                """,
        };
        if (token is not null)
        {
            settings["ABSTRACTCORE_AUTH_TOKEN"] = token;
        }

        await using var gateway = new GatewayFactory(settings);
        await using var logged = gateway.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(logs)));
        logged.UseKestrel();
        logged.StartServer();
        var address = logged.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return ([.. logs.Entries.Where(e => e.Category == StartupLog.Category).Select(e => (e.Level, e.Line))], address, logs.All);
    }

    [Fact]
    public async Task Startup_names_address_providers_and_config_file_and_warns_once_without_auth()
    {
        var (lines, address, all) = await StartAsync(token: null);

        Assert.Contains(lines, l => l.Level == LogLevel.Information && l.Line.StartsWith($"AbstractCore gateway listening on {address}", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Level == LogLevel.Information && l.Line.StartsWith("Configured providers: openai-compatible, openrouter", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Level == LogLevel.Information && l.Line.StartsWith("Config file: not read (ABSTRACTCORE_SERVER_DISABLE_CENTRALIZED_CONFIG", StringComparison.Ordinal));
        var warning = Assert.Single(lines, l => l.Level == LogLevel.Warning).Line;
        Assert.Contains("ABSTRACTCORE_AUTH_TOKEN", warning, StringComparison.Ordinal);
        Assert.Contains("ABSTRACTCORE_SERVER_ALLOW_UNAUTHENTICATED=1", warning, StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Level == LogLevel.Information && l.Line.StartsWith("Model aliases (deployment names): team/smart → a, b", StringComparison.Ordinal));
        Assert.DoesNotContain(ProviderKey, all, StringComparison.Ordinal);
        Assert.DoesNotContain(AliasKey, all, StringComparison.Ordinal);
        Assert.DoesNotContain("10.9.8.7", all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_token_there_is_no_auth_warning()
    {
        var (lines, _, _) = await StartAsync(token: "startup-token");

        Assert.DoesNotContain(lines, l => l.Level >= LogLevel.Warning);
        Assert.Contains(lines, l => l.Line.StartsWith("Configured providers:", StringComparison.Ordinal));
    }
}

using AbstractCore.Api.Tests.Auth;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AbstractCore.Api.Tests.Infrastructure;

/// <summary>A gateway in front of a fake OpenAI-compatible upstream, every log line it writes captured.</summary>
public sealed class LoggedGateway : IAsyncDisposable
{
    private readonly GatewayFactory _factory;
    private readonly WebApplicationFactory<Program> _logged;

    private LoggedGateway(FakeOpenAIUpstream upstream, GatewayFactory factory)
    {
        (Upstream, _factory) = (upstream, factory);
        _logged = factory.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(Logs)));
        _ = _logged.Server;
    }

    public FakeOpenAIUpstream Upstream { get; }

    public CapturingLoggerProvider Logs { get; } = new();

    /// <summary>Starts the upstream, then the gateway with the settings made for the upstream's base URL.</summary>
    public static async Task<LoggedGateway> StartAsync(Func<string, Dictionary<string, string?>> settings)
    {
        var upstream = await FakeOpenAIUpstream.StartAsync();
        return new LoggedGateway(upstream, new GatewayFactory(settings(upstream.BaseUrl.AbsoluteUri)));
    }

    public HttpClient CreateClient() => _logged.CreateClient();

    public async ValueTask DisposeAsync()
    {
        await _logged.DisposeAsync();
        await _factory.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}

using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace AbstractCore.Browser.Tests.Infrastructure;

/// <summary>The real gateway on real Kestrel (a browser is another process), on a free loopback port.</summary>
public sealed class KestrelGateway : WebApplicationFactory<Program>
{
    private readonly IReadOnlyDictionary<string, string?> _settings;

    private KestrelGateway(IReadOnlyDictionary<string, string?> settings) => _settings = settings;

    /// <summary><c>http://127.0.0.1:&lt;port&gt;</c>, without a trailing slash.</summary>
    public Uri Origin { get; private set; } = null!;

    public static KestrelGateway Start(IReadOnlyDictionary<string, string?> settings)
    {
        var gateway = new KestrelGateway(settings);
        gateway.UseKestrel();
        gateway.StartServer();
        var address = gateway.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        gateway.Origin = new Uri(address.TrimEnd('/'));
        return gateway;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        // Never read the machine's ~/.abstractcore config file in tests.
        builder.UseSetting("ABSTRACTCORE_SERVER_DISABLE_CENTRALIZED_CONFIG", "1");
        builder.UseSetting("URLS", "http://127.0.0.1:0");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }
}

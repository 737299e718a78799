using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AbstractCore.Api.Tests.Infrastructure;

/// <summary>The real gateway on the in-memory test server, configured by plain settings (as env vars would).</summary>
public sealed class GatewayFactory(IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        // Never read the machine's ~/.abstractcore config file in tests.
        builder.UseSetting("ABSTRACTCORE_SERVER_DISABLE_CENTRALIZED_CONFIG", "1");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }
}

using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AbstractCore.TestKit;

/// <summary>
/// One of the solution's web services (<typeparamref name="TEntryPoint"/>: its <c>Program</c>) on the in-memory test
/// server, configured by plain settings (as env vars would), never by the machine's <c>~/.abstractcore</c> config file.
/// </summary>
public class ConfiguredAppFactory<TEntryPoint>(IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<TEntryPoint>
    where TEntryPoint : class
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseEnvironment("Testing");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        // Never read the machine's ~/.abstractcore config file in tests.
        builder.UseSetting("ABSTRACTCORE_SERVER_DISABLE_CENTRALIZED_CONFIG", "1");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>An HttpClient to the service carrying <paramref name="token"/> as its bearer token.</summary>
    public HttpClient Http(string token)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }
}

using AbstractCore.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AbstractCore.Api.Tests.Outages;

/// <summary>
/// The gateway's Redis client gives up within 2 s on the request path unless the operator says otherwise, in the
/// connection string or in Aspire's <c>ConfigurationOptions</c> section; it never aborts on a failed first connect.
/// </summary>
public sealed class RedisClientSettingsTests
{
    private static async Task<ConfigurationOptions> OptionsFor(params (string Key, string Value)[] settings)
    {
        await using var gateway = new GatewayFactory(settings.ToDictionary(s => s.Key, s => (string?)s.Value));
        return gateway.Services.GetRequiredService<IOptions<ConfigurationOptions>>().Value;
    }

    [Fact]
    public async Task Request_path_timeouts_are_short_by_default()
    {
        var options = await OptionsFor(("ConnectionStrings:cache", "127.0.0.1:1"));
        Assert.Equal(2000, options.ConnectTimeout);
        Assert.Equal(2000, options.SyncTimeout);
        Assert.Equal(2000, options.AsyncTimeout);
        Assert.False(options.AbortOnConnectFail);
    }

    [Fact]
    public async Task The_connection_string_and_the_aspire_section_override_them()
    {
        var options = await OptionsFor(
            ("ConnectionStrings:cache", "127.0.0.1:1,syncTimeout=7000"),
            ("Aspire:StackExchange:Redis:ConfigurationOptions:ConnectTimeout", "9000"));
        Assert.Equal(9000, options.ConnectTimeout);
        Assert.Equal(7000, options.SyncTimeout);
        Assert.Equal(7000, options.AsyncTimeout); // follows syncTimeout unless set itself
    }
}

using System.Net;
using AbstractCore.Api.Tests.Infrastructure;

namespace AbstractCore.Api.Tests.Media;

/// <summary>Capability defaults take bounded values, and never touch the config file when the server may not use it.</summary>
public sealed class CapabilityDefaultsLimitsTests(MediaFixture fx) : IClassFixture<MediaFixture>
{
    private const string Tts = "/v1/config/capability-defaults/output/audio/tts";

    [Theory]
    [InlineData("model", 257)]
    [InlineData("model", 5_000_000)]
    [InlineData("provider", 65)]
    [InlineData("base_url", 2049)]
    public async Task An_oversized_value_is_a_400_naming_it_and_nothing_is_written(string field, int length)
    {
        using var http = fx.Http();
        var value = field == "base_url" ? "http://127.0.0.1/" + new string('a', length - 17) : new string('m', length);

        var (response, body) = await Json.SendAsync(http, HttpMethod.Put, Tts, $$"""{"{{field}}":"{{value}}"}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, (string?)body!["error"]!["param"]);
        Assert.StartsWith($"'{field}' is too long", (string?)body["error"]!["message"], StringComparison.Ordinal);
        Assert.False(File.Exists(fx.ConfigFile) && File.ReadAllText(fx.ConfigFile).Contains(value[..64], StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_centralized_config_disabled_defaults_live_in_memory_and_the_file_is_never_written()
    {
        var dir = Path.Combine(Path.GetTempPath(), "acore-nocfg-" + Guid.NewGuid().ToString("N"));
        var file = Path.Combine(dir, "abstractcore.json");
        await using var gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = MediaFixture.Token,
            ["ABSTRACTCORE_CONFIG_FILE"] = file,
            ["ABSTRACTCORE_SERVER_DISABLE_CENTRALIZED_CONFIG"] = "1",
        });
        using var http = gateway.Http(MediaFixture.Token);

        var (put, body) = await Json.SendAsync(http, HttpMethod.Put, Tts, """{"provider":"openai-compatible","model":"kokoro"}""");

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal("memory", (string?)body!["source"]);
        Assert.Null(body["config_file"]);
        var (_, listed) = await Json.GetAsync(http, "/v1/config/capability-defaults");
        Assert.Equal("kokoro", (string?)listed!["routes"]!.AsArray().Single(r => (string?)r!["key"] == "output.audio.tts")!["model"]);
        Assert.False(File.Exists(file));
        Assert.False(Directory.Exists(dir));
    }
}

using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;

namespace AbstractCore.Api.Tests.Attachments;

/// <summary>
/// Issue 13 point 4a through the gateway, with ABSTRACTCORE_SERVER_ALLOW_LOCAL_FILES=1: a device or a FIFO given as an
/// attachment (a file part's path or an <c>@path</c> in the text) is a prompt 400 naming it, never a hang, a 500 or a
/// read that fills memory; nothing reaches the upstream.
/// </summary>
public sealed class LocalFileTypeTests(GatewayFixture fx) : IClassFixture<GatewayFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("acore-fifo-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("part")]
    [InlineData("mention")]
    public async Task Devices_and_fifos_are_a_prompt_400_naming_the_file(string how)
    {
        var fifo = Path.Join(_dir, "pipe.txt");
        using (var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [fifo]) { UseShellExecute = false })!)
        {
            await mkfifo.WaitForExitAsync();
        }

        // A mention needs a name with an extension: a link to /dev/zero gives it one (the device is what is read).
        var zero = Path.Join(_dir, "zero.txt");
        File.CreateSymbolicLink(zero, "/dev/zero");

        await using var gateway = fx.Gateway.WithWebHostBuilder(b => b.UseSetting("ABSTRACTCORE_SERVER_ALLOW_LOCAL_FILES", "1"));
        using var http = gateway.CreateClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", GatewayFixture.Token);
        var before = fx.Upstream.Requests.Count;

        (string Path, string Kind)[] cases = [(zero, "a character device"), (fifo, "a FIFO (named pipe)")];
        foreach (var (path, kind) in how == "part" ? [("/dev/zero", "a character device"), .. cases] : cases)
        {
            JsonNode content = how == "part"
                ? new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "x" }, new JsonObject { ["type"] = "file", ["file_url"] = path })
                : $"summarise @{path}";
            var body = new JsonObject
            {
                ["model"] = GatewayFixture.Model,
                ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = content }),
            };

            // Bounded: before the fix /dev/zero was read until memory ran out and the FIFO blocked the request for good.
            var (response, error) = await Wire.PostAsync(http, "/v1/chat/completions", body.ToJsonString()).WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal($"Local file {path} is {kind}: only regular files can be attached.", (string?)error!["error"]!["message"]);
            Assert.Equal("not_a_regular_file", (string?)error["error"]!["code"]);
        }

        Assert.Equal(before, fx.Upstream.Requests.Count);
    }
}

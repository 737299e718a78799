using System.Net.Http.Headers;
using System.Text;
using AbstractCore.Api.Tests.Infrastructure;
using Xunit.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace AbstractCore.Api.Tests.Routes;

public sealed class ProbeTests(GatewayFixture fx, ITestOutputHelper output) : IClassFixture<GatewayFixture>
{
    private async Task Send(string method, string path, byte[] body, string contentType = "application/json")
    {
        using var http = fx.Http();
        var before = fx.Upstream.Requests.Count;
        var req = new HttpRequestMessage(new HttpMethod(method), path) { Content = new ByteArrayContent(body) };
        req.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        var resp = await http.SendAsync(req);
        var text = await resp.Content.ReadAsStringAsync();
        output.WriteLine($"{method} {path} -> {(int)resp.StatusCode} upstream+{fx.Upstream.Requests.Count - before} {text[..Math.Min(300, text.Length)]}");
    }

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);
    private static byte[] Cat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    [Fact]
    public async Task ProbeKestrel()
    {
        await using var gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = GatewayFixture.Token,
            ["URLS"] = "http://127.0.0.1:0",
        });
        gateway.UseKestrel();
        gateway.StartServer();
        var address = new Uri(gateway.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First());
        foreach (var target in new[] { "/v1/responses/%00", "/v1/responses/a%00b/input_items", "/v1/responses/%C0" })
        {
            using var tcp = new System.Net.Sockets.TcpClient();
            await tcp.ConnectAsync(address.Host, address.Port);
            var stream = tcp.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {GatewayFixture.Token}\r\nConnection: close\r\n\r\n"));
            var text = await new StreamReader(stream).ReadToEndAsync();
            output.WriteLine($"KESTREL {target} -> {text.Replace("\r\n", " | ")}");
        }
    }

    [Fact]
    public async Task Doc()
    {
        using var http = fx.Http();
        File.WriteAllText("/tmp/probe/openapi.json", await http.GetStringAsync("/openapi.json"));
    }

    [Fact]
    public async Task Probe()
    {
        var chat = "{\"model\":\"openai-compatible/fake-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi \\ud800 there\"}]}";
        await Send("POST", "/v1/chat/completions", B(chat));
        await Send("POST", "/v1/chat/completions", B(chat.Replace("]}", "],\"stream\":true}")));
        await Send("POST", "/v1/chat/completions", Cat(B("{\"model\":\"openai-compatible/fake-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi "), [0xff, 0xfe], B("\"}]}")));
        await Send("POST", "/v1/chat/completions", Cat(B("{\"model\":\"openai-compatible/fake-model\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi "), [0xc3], B("\"}]}")));
        var resp = "{\"model\":\"openai-compatible/fake-model\",\"input\":\"hi \\udc00 there\"}";
        await Send("POST", "/v1/responses", B(resp));
        await Send("POST", "/v1/responses", B(resp.Replace("}", ",\"stream\":true}")));
        await Send("POST", "/v1/responses", Cat(B("{\"model\":\"openai-compatible/fake-model\",\"input\":\"hi "), [0xff], B("\"}")));
        await Send("POST", "/v1/chat/completions", B("{\"model\":\"openai-compatible/\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
        await Send("POST", "/v1/chat/completions", Cat(B("{\"model\":\"openai-compatible/fake-model\",\"zzz\":\""), [0xff], B("\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")));
        await Send("POST", "/v1/responses", B("{\"model\":\"openai-compatible/\",\"input\":\"hi\"}"));
        await Send("POST", "/v1/chat/completions", B("{\"model\":\"openai-compatible/fake-model\",\"model\":\"x/y\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
        foreach (var path in new[] { "/v1/embeddings", "/v1/audio/speech", "/v1/audio/music", "/acore/models/load", "/acore/prompt_cache/set", "/acore/prompt_cache/update", "/v1/images/generations", "/v1/vision/jobs/audio/music" })
        {
            await Send("POST", path, B("{\"model\":\"openai-compatible/a\",\"model\":\"openai-compatible/b\",\"input\":\"x\",\"prompt\":\"x\"}"));
            await Send("POST", path, Cat(B("{\"model\":\"openai-compatible/a\",\"in"), [0xff], B("put\":\"x\",\"prompt\":\"x\"}")));
            await Send("POST", path, B("{\"model\":\"openai-compatible/a\",\"input\":\"\\ud800\",\"prompt\":\"x\"}"));
        }
        await Send("PUT", "/v1/config/capability-defaults/voice/tts", B("{\"provider\":\"openai\",\"provider\":\"x\"}"));
        await Send("PUT", "/v1/config/capability-defaults/voice/tts", Cat(B("{\"prov"), [0xff], B("ider\":\"openai\"}")));
        var boundary = new string('a', 5000);
        var mp = $"--{boundary}\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nopenai-compatible/whisper\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\nContent-Type: audio/wav\r\n\r\nRIFF0000\r\n--{boundary}--\r\n";
        foreach (var path in new[] { "/v1/audio/transcriptions", "/v1/voice/clone", "/v1/images/edits" })
        {
            await Send("POST", path, B(mp), $"multipart/form-data; boundary={boundary}");
        }
        var nul = "--xyz\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nopenai-compatible/whisper\r\n--xyz\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\nhi\r\n--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\0.wav\"\r\nContent-Type: audio/wav\r\n\r\nRIFF0000\r\n--xyz\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a\0.png\"\r\nContent-Type: image/png\r\n\r\nPNG0000\r\n--xyz--\r\n";
        foreach (var path in new[] { "/v1/audio/transcriptions", "/v1/voice/clone", "/v1/images/edits", "/v1/videos/edits" })
        {
            await Send("POST", path, B(nul), "multipart/form-data; boundary=xyz");
        }
        using var http = fx.Http();
        foreach (var (m, p) in new[] { ("GET", "/v1/vision/jobs/x?consume=maybe"), ("GET", "/providers?include_models=maybe"), ("PUT", "/v1/chat/completions"), ("GET", "/v1/embeddings") })
        {
            var r = await http.SendAsync(new HttpRequestMessage(new HttpMethod(m), p));
            var t = await r.Content.ReadAsStringAsync();
            output.WriteLine($"{m} {p} -> {(int)r.StatusCode} ct={r.Content.Headers.ContentType} {t[..Math.Min(300, t.Length)]}");
        }
    }
}

using System.Buffers;
using System.IO.Pipelines;
using System.Text;

namespace AbstractCore.InferenceBench;

/// <summary>
/// Streamed chat completions over HTTP: <c>onnx/&lt;model&gt;</c> through the Api (the full path), or the model's name on
/// Inference itself. The client reads like a load generator (bytes scanned, no strings), so its own cost stays out of the figures.
/// </summary>
internal sealed class GatewayPath(Uri root, string model, int tokens) : ITokenPath, IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 4 }) { BaseAddress = root, Timeout = TimeSpan.FromMinutes(10) };
    private readonly string _body =
        $$"""{"model":"{{model}}","stream":true,"max_tokens":{{tokens}},"messages":[{"role":"user","content":"go"},{"role":"assistant","content":"a"}]}""";

    public async Task WarmAsync()
    {
        var chunks = await StreamAsync();
        if (chunks != tokens)
        {
            throw new InvalidOperationException($"Expected {tokens} content chunks, got {chunks}.");
        }
    }

    public async Task<long> RunAsync(int streams) => (await Task.WhenAll(Enumerable.Range(0, streams).Select(_ => StreamAsync()))).Sum();

    public void Dispose() => _http.Dispose();

    /// <summary>Reads a whole SSE answer; returns the number of content chunks (one per token).</summary>
    private async Task<long> StreamAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(_body, Encoding.UTF8, "application/json") };
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        var reader = PipeReader.Create(await response.Content.ReadAsStreamAsync());
        var chunks = 0L;
        while (true)
        {
            var read = await reader.ReadAsync();
            var lines = new SequenceReader<byte>(read.Buffer);
            while (lines.TryReadTo(out ReadOnlySpan<byte> line, (byte)'\n'))
            {
                chunks += IsContent(line) ? 1 : 0;
            }

            reader.AdvanceTo(lines.Position, read.Buffer.End);
            if (read.IsCompleted)
            {
                await reader.CompleteAsync();
                return chunks;
            }
        }
    }

    /// <summary>A chunk carrying text (not the role chunk's empty content).</summary>
    private static bool IsContent(ReadOnlySpan<byte> line)
    {
        var at = line.StartsWith("data: {"u8) ? line.IndexOf("\"content\":\""u8) : -1;
        return at >= 0 && line.Length > at + 11 && line[at + 11] != (byte)'"';
    }
}

using System.Diagnostics;
using System.Net.ServerSentEvents;
using System.Text;

namespace AbstractCore.InferenceBench;

/// <summary>The full path: an HTTP client streaming <c>onnx/&lt;model&gt;</c> through the Api, which streams it from Inference.</summary>
internal static class GatewayPath
{
    public static async Task<double> TokensPerSecondAsync(Uri root, string model, int streams, int requests, int tokens, Action? started = null)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = streams }) { BaseAddress = root, Timeout = TimeSpan.FromMinutes(10) };
        var body = $$"""{"model":"{{model}}","stream":true,"max_tokens":{{tokens}},"messages":[{"role":"user","content":"go"},{"role":"assistant","content":"a"}]}""";

        var warm = await StreamAsync(http, body); // warm-up, and a check that one chunk carries one token
        if (warm != tokens)
        {
            throw new InvalidOperationException($"Expected {tokens} content chunks, got {warm}.");
        }

        var total = 0L;
        started?.Invoke();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, streams).Select(async _ =>
        {
            for (var r = 0; r < requests; r++)
            {
                Interlocked.Add(ref total, await StreamAsync(http, body));
            }
        }));
        return total / clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Reads a whole SSE answer; returns the number of content chunks (one per token). Events are parsed over bytes
    /// (System.Net.ServerSentEvents, as the gateway reads its upstreams), not as a string per line: the client shares the
    /// cores with the model, so its own cost should stay small beside the path it measures.
    /// </summary>
    private static async Task<int> StreamAsync(HttpClient http, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync();
        var chunks = 0;
        if (Environment.GetEnvironmentVariable("ACORE_EXPERIMENT_LINE_CLIENT") == "1") // TEMP A/B
        {
            using var reader = new StreamReader(stream);
            while (await reader.ReadLineAsync() is { } line)
            {
                if (line.StartsWith("data: {", StringComparison.Ordinal) && line.Contains("\"content\":\"", StringComparison.Ordinal) &&
                    !line.Contains("\"content\":\"\"", StringComparison.Ordinal))
                {
                    chunks++;
                }
            }

            return chunks;
        }

        await foreach (var item in SseParser.Create(stream, static (_, data) => IsContent(data)).EnumerateAsync())
        {
            chunks += item.Data ? 1 : 0;
        }

        return chunks;
    }

    /// <summary>A chunk whose delta carries non-empty content.</summary>
    private static bool IsContent(ReadOnlySpan<byte> data)
    {
        var at = data.IndexOf("\"content\":\""u8);
        return data.StartsWith("{"u8) && at >= 0 && at + 11 < data.Length && data[at + 11] != (byte)'"';
    }
}

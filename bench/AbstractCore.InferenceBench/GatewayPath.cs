using System.Diagnostics;
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

    /// <summary>Reads a whole SSE answer; returns the number of content chunks (one per token).</summary>
    private static async Task<int> StreamAsync(HttpClient http, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var chunks = 0;
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
}

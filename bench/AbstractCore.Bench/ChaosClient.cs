using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace AbstractCore.Bench;

/// <summary>
/// <c>chaos --url U --model M ...</c>: closed-loop load that checks every answer (bench/routing.sh's chaos stage).
/// N loops; each alternates non-streamed and streamed requests (<c>--stream-share</c>, default 0.5), the bench's small chat
/// body, for <c>--duration</c> seconds. Every answer is classified:
/// <list type="bullet">
/// <item>non-streamed: <c>ok</c> (200, the expected text), <c>wrong_content</c> (200, another text), <c>http_NNN</c>, or
/// <c>transport</c> (no HTTP answer: refused, reset, timed out);</item>
/// <item>streamed: <c>completed</c> (200, <c>[DONE]</c>, a finish chunk, the expected text, no error chunk),
/// <c>reported_in_band</c> (a <c>data:</c> chunk with an <c>error</c> object or <c>finish_reason: "error"</c>; broken down
/// by which of the two it had, whether <c>[DONE]</c> followed and whether content came before it),
/// <c>http_error</c> (a non-200 status before the stream: reported, though not in-band), or <c>unreported</c>: everything
/// else — the stream ended (or the connection dropped) without <c>[DONE]</c> and without an error chunk, or it ended with
/// <c>[DONE]</c> but not the expected text (a silent retry that duplicated or lost tokens), or no HTTP answer at all.</item>
/// </list>
/// Prints progress to stderr every 10 s and one JSON line at the end (counts, latencies, the deployment and attempts
/// headers seen, CPU seconds of <c>--cpu-pids</c>, and up to <c>--samples</c> bodies of each unexpected outcome).
/// </summary>
internal static class ChaosClient
{
    public static async Task<int> RunAsync(Options o)
    {
        var url = new Uri(o.Required("url"), UriKind.Absolute);
        var model = o.String("model") ?? "openai-compatible/fake-model";
        var connections = o.Int("connections", 16);
        var duration = TimeSpan.FromSeconds(o.Double("duration", 120));
        var streamShare = o.Double("stream-share", 0.5);
        var expect = o.String("expect") ?? ChaosUpstream.Text;
        var timeout = TimeSpan.FromSeconds(o.Double("timeout", 90));
        var samples = o.Int("samples", 5);
        var label = o.String("label") ?? "chaos";
        if (connections < 1 || streamShare is < 0 or > 1)
        {
            throw new ArgumentException("--connections ≥ 1, --stream-share in [0, 1]");
        }

        var pids = (o.String("cpu-pids") ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=') is [var name, var pid]
                ? (Name: name, Pids: pid.Split('+').Select(one => int.Parse(one, CultureInfo.InvariantCulture)).ToArray())
                : throw new ArgumentException("--cpu-pids takes name=pid pairs"))
            .ToArray();

        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            ActivityHeadersPropagator = null,
        };
        using var invoker = new HttpMessageInvoker(handler);
        var tally = new Tally(samples);
        var plainBody = LoadGenerator.ChatBody(model, stream: false);
        var streamBody = LoadGenerator.ChatBody(model, stream: true);

        var cpuBefore = pids.Select(p => p.Pids.Sum(LoadGenerator.CpuTicks)).ToArray();
        var machineBefore = LoadGenerator.MachineBusyTicks();
        var selfBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        using var stopProgress = new CancellationTokenSource();
        var progress = ProgressAsync(tally, started, stopProgress.Token);
        var loops = Enumerable.Range(0, connections).Select(i => Task.Run(async () =>
        {
            var offset = (double)i / connections;
            for (long n = 0; Stopwatch.GetTimestamp() < deadline; n++)
            {
                // Bresenham: a share s of each loop's requests is streamed, spread evenly, loops out of phase.
                var stream = Math.Floor((n + 1) * streamShare + offset) > Math.Floor(n * streamShare + offset);
                await OneAsync(invoker, url, stream ? streamBody : plainBody, stream, expect, timeout, tally);
            }
        })).ToArray();
        await Task.WhenAll(loops);
        var elapsed = Stopwatch.GetElapsedTime(started);
        await stopProgress.CancelAsync();
        await progress;
        var cpu = pids.Select((p, i) => (p.Name, Seconds: (p.Pids.Sum(LoadGenerator.CpuTicks) - cpuBefore[i]) / 100.0)).ToList();
        cpu.Add(("client", (Process.GetCurrentProcess().TotalProcessorTime - selfBefore).TotalSeconds));
        cpu.Add(("machine", (LoadGenerator.MachineBusyTicks() - machineBefore) / 100.0));

        WriteJson(label, url, model, connections, elapsed, streamShare, tally, cpu);
        return 0;
    }

    private static async Task ProgressAsync(Tally tally, long started, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(10), stop);
                await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"   chaos {Stopwatch.GetElapsedTime(started).TotalSeconds:F0}s: {tally.Summary()}"));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task OneAsync(HttpMessageInvoker invoker, Uri url, byte[] body, bool stream, string expect, TimeSpan timeout, Tally tally)
    {
        var begin = Stopwatch.GetTimestamp();
        using var cts = new CancellationTokenSource(timeout);
        var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };

        HttpResponseMessage response;
        try
        {
            response = await invoker.SendAsync(request, cts.Token);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            tally.Count(stream ? "stream.unreported.no_http_answer" : "plain.transport", e.GetType().Name + ": " + e.Message);
            return;
        }

        using (response)
        {
            tally.Headers(response);
            var status = (int)response.StatusCode;
            if (!stream)
            {
                string text;
                try
                {
                    text = await response.Content.ReadAsStringAsync(cts.Token);
                }
                catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
                {
                    tally.Count("plain.transport", $"HTTP {status}, body cut: {e.Message}");
                    return;
                }

                if (status != 200)
                {
                    tally.Count("plain.http_" + status.ToString(CultureInfo.InvariantCulture), text);
                    return;
                }

                tally.Count(PlainContent(text) == expect ? "plain.ok" : "plain.wrong_content", text);
                tally.Latency(stream: false, begin);
                return;
            }

            if (status != 200)
            {
                string text;
                try
                {
                    text = await response.Content.ReadAsStringAsync(cts.Token);
                }
                catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
                {
                    text = e.Message;
                }

                tally.Count("stream.http_error_" + status.ToString(CultureInfo.InvariantCulture), text);
                return;
            }

            var raw = new StringBuilder();
            var delivered = new StringBuilder();
            bool done = false, errorObject = false, errorFinish = false, stop = false, afterError = false;
            string? failure = null;
            try
            {
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token), Encoding.UTF8);
                while (await reader.ReadLineAsync(cts.Token) is { } line)
                {
                    if (raw.Length < 65536)
                    {
                        raw.Append(line).Append('\n');
                    }

                    if (!line.StartsWith("data:", StringComparison.Ordinal))
                    {
                        continue;
                    }

                    var data = line.AsSpan(5).Trim();
                    if (data.SequenceEqual("[DONE]"))
                    {
                        done = true;
                        continue;
                    }

                    if (errorObject || errorFinish)
                    {
                        afterError = true;
                    }

                    ReadChunk(data.ToString(), delivered, ref errorObject, ref errorFinish, ref stop);
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException or JsonException)
            {
                failure = e.GetType().Name + ": " + e.Message;
            }

            string outcome;
            if (errorObject || errorFinish)
            {
                outcome = "stream.reported_in_band." + (errorObject && errorFinish ? "error_object+finish_error" : errorObject ? "error_object_only" : "finish_error_only") +
                          (done ? ".then_done" : failure is null ? ".then_end" : ".then_transport_error") +
                          (delivered.Length > 0 ? ".after_content" : ".before_content") +
                          (afterError ? ".chunks_after_error" : "");
            }
            else if (done && stop && failure is null && delivered.ToString() == expect)
            {
                outcome = "stream.completed";
                tally.Latency(stream: true, begin);
            }
            else
            {
                outcome = "stream.unreported." + (failure is not null ? "transport_error" : !done ? "ended_without_done" : "done_but_wrong_content");
            }

            tally.Count(outcome, (failure is null ? "" : failure + "\n") + raw);
        }
    }

    private static string? PlainContent(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    private static void ReadChunk(string json, StringBuilder delivered, ref bool errorObject, ref bool errorFinish, ref bool stop)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
        {
            errorObject = true;
        }

        if (!root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        foreach (var choice in choices.EnumerateArray())
        {
            if (choice.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object &&
                delta.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String)
            {
                delivered.Append(c.GetString());
            }

            if (choice.TryGetProperty("finish_reason", out var f) && f.ValueKind == JsonValueKind.String)
            {
                switch (f.GetString())
                {
                    case "error":
                        errorFinish = true;
                        break;
                    case "stop":
                        stop = true;
                        break;
                }
            }
        }
    }

    private static void WriteJson(string label, Uri url, string model, int connections, TimeSpan elapsed, double streamShare, Tally tally,
        List<(string Name, double Seconds)> cpu)
    {
        using var output = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(output))
        {
            w.WriteStartObject();
            w.WriteString("label", label);
            w.WriteString("url", url.ToString());
            w.WriteString("model", model);
            w.WriteNumber("connections", connections);
            w.WriteNumber("stream_share", streamShare);
            w.WriteNumber("duration_s", Math.Round(elapsed.TotalSeconds, 3));
            w.WriteStartObject("outcomes");
            foreach (var (name, count) in tally.Outcomes.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                w.WriteNumber(name, count);
            }

            w.WriteEndObject();
            w.WriteStartObject("deployment_header");
            foreach (var (name, count) in tally.Deployments.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                w.WriteNumber(name, count);
            }

            w.WriteEndObject();
            w.WriteStartObject("attempts_header");
            foreach (var (name, count) in tally.Attempts.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                w.WriteNumber(name, count);
            }

            w.WriteEndObject();
            WriteMs(w, "plain_ok_latency_ms", tally.PlainLatency);
            WriteMs(w, "stream_completed_latency_ms", tally.StreamLatency);
            w.WriteStartObject("cpu_s");
            foreach (var (name, seconds) in cpu)
            {
                w.WriteNumber(name, Math.Round(seconds, 2));
            }

            w.WriteEndObject();
            w.WriteStartObject("samples");
            foreach (var (name, list) in tally.Samples.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                w.WriteStartArray(name);
                foreach (var s in list)
                {
                    w.WriteStringValue(s.Length > 3000 ? s[..1000] + "\n…\n" + s[^2000..] : s);
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        output.Write("\n"u8);
    }

    private static void WriteMs(Utf8JsonWriter w, string name, Histogram h)
    {
        w.WriteStartObject(name);
        w.WriteNumber("count", h.Count);
        w.WriteNumber("p50", Math.Round(h.Percentile(50) / 1e6, 3));
        w.WriteNumber("p99", Math.Round(h.Percentile(99) / 1e6, 3));
        w.WriteNumber("max", Math.Round(h.Max / 1e6, 3));
        w.WriteEndObject();
    }

    private sealed class Tally(int samples)
    {
        private static readonly double NanosPerTick = 1e9 / Stopwatch.Frequency;

        public ConcurrentDictionary<string, long> Outcomes { get; } = new(StringComparer.Ordinal);

        public ConcurrentDictionary<string, long> Deployments { get; } = new(StringComparer.Ordinal);

        public ConcurrentDictionary<string, long> Attempts { get; } = new(StringComparer.Ordinal);

        public ConcurrentDictionary<string, List<string>> Samples { get; } = new(StringComparer.Ordinal);

        public Histogram PlainLatency { get; } = new();

        public Histogram StreamLatency { get; } = new();

        public void Count(string outcome, string sample)
        {
            Outcomes.AddOrUpdate(outcome, 1, static (_, n) => n + 1);
            var expected = outcome is "plain.ok" or "stream.completed";
            if (!expected && samples > 0)
            {
                var list = Samples.GetOrAdd(outcome, static _ => []);
                lock (list)
                {
                    if (list.Count < samples)
                    {
                        list.Add(sample);
                    }
                }
            }
        }

        public void Headers(HttpResponseMessage response)
        {
            var deployment = response.Headers.TryGetValues("X-AbstractCore-Deployment", out var d) ? string.Join(",", d) : "(none)";
            var attempts = response.Headers.TryGetValues("X-AbstractCore-Attempts", out var a) ? string.Join(",", a) : "(none)";
            Deployments.AddOrUpdate(deployment, 1, static (_, n) => n + 1);
            Attempts.AddOrUpdate(attempts, 1, static (_, n) => n + 1);
        }

        public void Latency(bool stream, long begin)
        {
            var h = stream ? StreamLatency : PlainLatency;
            lock (h)
            {
                h.Record((long)((Stopwatch.GetTimestamp() - begin) * NanosPerTick));
            }
        }

        public string Summary()
        {
            long Sum(string prefix) => Outcomes.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)).Sum(p => p.Value);
            return string.Create(CultureInfo.InvariantCulture,
                $"plain {Sum("plain.ok")}/{Sum("plain.")} ok; streams {Sum("stream.completed")} completed, {Sum("stream.reported_in_band")} in-band errors, {Sum("stream.http_error")} HTTP errors, {Sum("stream.unreported")} unreported");
        }
    }
}

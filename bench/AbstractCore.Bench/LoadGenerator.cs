using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;

namespace AbstractCore.Bench;

internal sealed record LoadSettings(
    Uri Url, int Connections, TimeSpan Duration, TimeSpan Warmup, bool Stream, string Model, string Label,
    (string Name, int[] Pids)[] CpuPids)
{
    public static LoadSettings From(Options o)
    {
        var url = new Uri(o.Required("url"), UriKind.Absolute);
        var connections = o.Int("connections", 1);
        if (connections < 1)
        {
            throw new ArgumentException("--connections must be at least 1");
        }

        var pids = (o.String("cpu-pids") ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=') is [var name, var pid]
                ? (name, pid.Split('+').Select(one => int.Parse(one, CultureInfo.InvariantCulture)).ToArray())
                : throw new ArgumentException("--cpu-pids takes name=pid pairs, e.g. upstream=123,gateway=456,nginx=7+8+9 (summed)"))
            .ToArray();
        return new LoadSettings(
            url, connections,
            TimeSpan.FromSeconds(o.Double("duration", 10)),
            TimeSpan.FromSeconds(o.Double("warmup", 3)),
            o.Has("stream"),
            o.String("model") ?? "openai-compatible/fake-model",
            o.String("label") ?? "",
            pids);
    }
}

/// <summary>
/// Closed-loop load: N loops, each sending the same small chat body and waiting for the whole answer before the next,
/// over one <see cref="SocketsHttpHandler"/> with N connections (HTTP/1.1 keep-alive). Only requests that start after
/// the warm-up and end before the deadline are counted.
/// </summary>
internal static class LoadGenerator
{
    public static async Task<int> RunAsync(LoadSettings settings)
    {
        var body = ChatBody(settings.Model, settings.Stream);
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = settings.Connections,
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

        // One request first: a misconfigured target (401, 404, no upstream) fails loudly instead of measuring errors.
        var probe = await ProbeAsync(invoker, settings.Url, body);
        if (probe is not null)
        {
            await Console.Error.WriteLineAsync($"load: {settings.Url} did not answer a chat request: {probe}");
            return 1;
        }

        var frequency = (double)Stopwatch.Frequency;
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(settings.Warmup.TotalSeconds * frequency);
        var measureTo = measureFrom + (long)(settings.Duration.TotalSeconds * frequency);
        using var hardStop = new CancellationTokenSource(settings.Warmup + settings.Duration + TimeSpan.FromSeconds(10));

        var cpu = SampleCpuAsync(settings.CpuPids, measureFrom, measureTo);
        var loops = new Loop[settings.Connections];
        var tasks = new Task[loops.Length];
        for (var i = 0; i < loops.Length; i++)
        {
            loops[i] = new Loop(invoker, settings.Url, body, settings.Stream, measureFrom, measureTo, hardStop.Token);
            tasks[i] = Task.Run(loops[i].RunAsync);
        }

        await Task.WhenAll(tasks);
        var cpuSeconds = await cpu;

        var latency = new Histogram();
        var ttfb = new Histogram();
        long errors = 0;
        string? firstError = null;
        foreach (var loop in loops)
        {
            latency.Add(loop.Latency);
            ttfb.Add(loop.Ttfb);
            errors += loop.Errors;
            firstError ??= loop.FirstError;
        }

        WriteJson(settings, latency, ttfb, errors, firstError, cpuSeconds);
        return 0;
    }

    internal static byte[] ChatBody(string model, bool stream, int maxTokens = 16)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("model", model);
            w.WriteStartArray("messages");
            w.WriteStartObject();
            w.WriteString("role", "user");
            w.WriteString("content", "Say hello in five words.");
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteNumber("max_tokens", maxTokens);
            if (stream)
            {
                w.WriteBoolean("stream", true);
            }

            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static async Task<string?> ProbeAsync(HttpMessageInvoker invoker, Uri url, byte[] body)
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            using var request = Loop.NewRequest(url, body);
            using var response = await invoker.SendAsync(request, cts.Token);
            var text = await response.Content.ReadAsStringAsync(cts.Token);
            // A chat completion (choices) or an Anthropic message (bench/messages.sh sends the same body to /v1/messages).
            return response.StatusCode == HttpStatusCode.OK &&
                   (text.Contains("choices", StringComparison.Ordinal) || text.Contains("\"type\":\"message", StringComparison.Ordinal))
                ? null
                : $"{(int)response.StatusCode} {text[..Math.Min(text.Length, 300)]}";
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            return e.Message;
        }
    }

    /// <summary>
    /// CPU seconds used inside the measured window: [0] this process, [1..n] each pid (user+system, Linux /proc),
    /// [n+1] the whole machine (busy time of all cores, so what other processes took can be told).
    /// </summary>
    private static async Task<double[]> SampleCpuAsync((string Name, int[] Pids)[] pids, long from, long to)
    {
        var result = new double[pids.Length + 2];
        await Task.Delay(Remaining(from));
        var before = pids.Select(p => p.Pids.Sum(CpuTicks)).ToArray();
        var machineBefore = MachineBusyTicks();
        var selfBefore = Process.GetCurrentProcess().TotalProcessorTime;
        await Task.Delay(Remaining(to));
        var selfAfter = Process.GetCurrentProcess().TotalProcessorTime;
        var machineAfter = MachineBusyTicks();
        result[0] = (selfAfter - selfBefore).TotalSeconds;
        for (var i = 0; i < pids.Length; i++)
        {
            result[i + 1] = (pids[i].Pids.Sum(CpuTicks) - before[i]) / 100.0; // USER_HZ is 100 on Linux
        }

        result[^1] = (machineAfter - machineBefore) / 100.0;
        return result;

        static TimeSpan Remaining(long timestamp) =>
            TimeSpan.FromSeconds(Math.Max(0, (timestamp - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency));
    }

    /// <summary>user+nice+system+irq+softirq+steal of all cores, from the first line of /proc/stat.</summary>
    internal static long MachineBusyTicks()
    {
        try
        {
            using var reader = new StreamReader("/proc/stat");
            var fields = reader.ReadLine()!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            long Field(int i) => long.Parse(fields[i], CultureInfo.InvariantCulture);
            return Field(1) + Field(2) + Field(3) + Field(6) + Field(7) + Field(8);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    internal static long CpuTicks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static void WriteJson(LoadSettings s, Histogram latency, Histogram ttfb, long errors, string? firstError, double[] cpu)
    {
        using var output = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(output))
        {
            w.WriteStartObject();
            w.WriteString("label", s.Label);
            w.WriteString("client", "dotnet");
            w.WriteString("url", s.Url.ToString());
            w.WriteBoolean("stream", s.Stream);
            w.WriteNumber("connections", s.Connections);
            w.WriteNumber("duration_s", s.Duration.TotalSeconds);
            w.WriteNumber("warmup_s", s.Warmup.TotalSeconds);
            w.WriteNumber("requests", latency.Count);
            w.WriteNumber("errors", errors);
            if (firstError is not null)
            {
                w.WriteString("first_error", firstError);
            }

            w.WriteNumber("rps", Math.Round(latency.Count / s.Duration.TotalSeconds, 1));
            WriteMs(w, "latency_ms", latency);
            if (s.Stream)
            {
                WriteMs(w, "ttfb_ms", ttfb);
            }

            w.WriteStartObject("cpu_s");
            w.WriteNumber("client", Math.Round(cpu[0], 2));
            for (var i = 0; i < s.CpuPids.Length; i++)
            {
                w.WriteNumber(s.CpuPids[i].Name, Math.Round(cpu[i + 1], 2));
            }

            w.WriteNumber("machine", Math.Round(cpu[^1], 2));

            w.WriteEndObject();
            w.WriteEndObject();
        }

        output.Write("\n"u8);
    }

    private static void WriteMs(Utf8JsonWriter w, string name, Histogram h)
    {
        w.WriteStartObject(name);
        w.WriteNumber("p50", Ms(h.Percentile(50)));
        w.WriteNumber("p90", Ms(h.Percentile(90)));
        w.WriteNumber("p99", Ms(h.Percentile(99)));
        w.WriteNumber("max", Ms(h.Max));
        w.WriteNumber("mean", Ms(h.Mean));
        w.WriteEndObject();

        static double Ms(double ns) => Math.Round(ns / 1e6, 4);
    }

    /// <summary>One closed loop: send, read the whole answer, record, repeat.</summary>
    private sealed class Loop(
        HttpMessageInvoker invoker, Uri url, byte[] body, bool stream, long measureFrom, long measureTo, CancellationToken hardStop)
    {
        private static readonly double NanosPerTick = 1e9 / Stopwatch.Frequency;
        private readonly byte[] _buffer = new byte[16 * 1024];

        public Histogram Latency { get; } = new();

        public Histogram Ttfb { get; } = new();

        public long Errors { get; private set; }

        public string? FirstError { get; private set; }

        public static HttpRequestMessage NewRequest(Uri url, byte[] body)
        {
            var content = new ByteArrayContent(body);
            content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
            return new HttpRequestMessage(HttpMethod.Post, url)
            {
                Version = HttpVersion.Version11,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                Content = content,
            };
        }

        public async Task RunAsync()
        {
            while (true)
            {
                var begin = Stopwatch.GetTimestamp();
                if (begin >= measureTo)
                {
                    return;
                }

                long firstByte = 0;
                var ok = false;
                try
                {
                    using var request = NewRequest(url, body);
                    using var response = await invoker.SendAsync(request, hardStop);
                    var content = await response.Content.ReadAsStreamAsync(hardStop);
                    await using (content.ConfigureAwait(false))
                    {
                        var read = await content.ReadAsync(_buffer, hardStop);
                        firstByte = Stopwatch.GetTimestamp();
                        while (read > 0)
                        {
                            read = await content.ReadAsync(_buffer, hardStop);
                        }
                    }

                    ok = response.StatusCode == HttpStatusCode.OK;
                    if (!ok)
                    {
                        Fail($"HTTP {(int)response.StatusCode}");
                    }
                }
                catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
                {
                    if (hardStop.IsCancellationRequested)
                    {
                        return;
                    }

                    Fail(e.GetType().Name + ": " + e.Message);
                }

                var end = Stopwatch.GetTimestamp();
                if (ok && begin >= measureFrom && end <= measureTo)
                {
                    Latency.Record((long)((end - begin) * NanosPerTick));
                    if (stream)
                    {
                        Ttfb.Record((long)((firstByte - begin) * NanosPerTick));
                    }
                }
            }
        }

        private void Fail(string message)
        {
            Errors++;
            FirstError ??= message;
        }
    }
}

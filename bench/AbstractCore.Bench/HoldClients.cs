using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;

namespace AbstractCore.Bench;

internal sealed record HoldSettings(
    Uri Url, int Clients, int Chunks, double IntervalMs, TimeSpan Ramp, TimeSpan Settle, int Warm, string Model, string Label,
    (string Name, int Pid, string? GcFile)[] Watch)
{
    public static HoldSettings From(Options o)
    {
        var clients = o.Int("clients", 1000);
        var chunks = o.Int("chunks", 120);
        if (clients < 1 || chunks < 1)
        {
            throw new ArgumentException("--clients and --chunks must be at least 1");
        }

        // --watch gateway=PID[:GC_FILE],upstream=PID[:GC_FILE]: processes whose memory is sampled.
        var watch = (o.String("watch") ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(w =>
            {
                var (name, rest) = w.Split('=', 2) is [var n, var r] ? (n, r) : throw new ArgumentException("--watch takes name=pid[:gcfile] pairs");
                var parts = rest.Split(':', 2);
                return (name, int.Parse(parts[0], CultureInfo.InvariantCulture), parts.Length > 1 ? parts[1] : null);
            })
            .ToArray();
        return new HoldSettings(
            new Uri(o.Required("url"), UriKind.Absolute), clients, chunks, o.Double("interval-ms", 500),
            TimeSpan.FromSeconds(o.Double("ramp", 10)), TimeSpan.FromSeconds(o.Double("settle", 5)), o.Int("warm", 50),
            o.String("model") ?? "openai-compatible/fake-model", o.String("label") ?? "", watch);
    }
}

/// <summary>
/// Many long streams held open at once: N clients, started evenly over the ramp, each reading one streamed chat
/// completion of <c>max_tokens</c> chunks that the slow-drip upstream sends one per interval. Counts connected,
/// completed and failed streams and the SSE events delivered, and samples the watched processes' memory (VmRSS from
/// /proc, GC heap from the bench's startup hook) before, during and after.
/// </summary>
internal static class HoldClients
{
    private static readonly double NanosPerTick = 1e9 / Stopwatch.Frequency;

    public static async Task<int> RunAsync(HoldSettings s)
    {
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = s.Clients + s.Warm,
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            ConnectTimeout = TimeSpan.FromSeconds(30),
            ActivityHeadersPropagator = null,
        };
        using var invoker = new HttpMessageInvoker(handler);
        var state = new HoldState();

        // Warm-up: a few short streams, so "before" is a server that has served streams, not a cold one.
        // Three rounds, so the server's hot paths are past their first JIT tier before the clients come.
        var warm = new HoldState();
        for (var round = 0; round < 3; round++)
        {
            await Task.WhenAll(Enumerable.Range(0, s.Warm).Select(_ => StreamAsync(invoker, s, 2, warm, CancellationToken.None)));
        }

        if (s.Warm > 0 && warm.Completed == 0)
        {
            await Console.Error.WriteLineAsync($"hold: {s.Url} completed none of the warm-up streams: {warm.FirstError}");
            return 1;
        }

        await Task.Delay(TimeSpan.FromSeconds(2));
        var before = s.Watch.Select(Sample).ToArray();

        var holdFor = TimeSpan.FromMilliseconds(s.Chunks * s.IntervalMs);
        using var hardStop = new CancellationTokenSource(s.Ramp + holdFor * 3 + TimeSpan.FromSeconds(60));
        using var monitorStop = new CancellationTokenSource();
        var start = Stopwatch.GetTimestamp();
        var monitor = MonitorAsync(s, state, start, monitorStop.Token);
        var clients = new Task[s.Clients];
        for (var i = 0; i < s.Clients; i++)
        {
            var startAt = s.Ramp * i / s.Clients;
            clients[i] = Task.Run(async () =>
            {
                var wait = startAt - Stopwatch.GetElapsedTime(start);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }

                await StreamAsync(invoker, s, s.Chunks, state, hardStop.Token);
            });
        }

        await Task.WhenAll(clients);
        var elapsed = Stopwatch.GetElapsedTime(start);
        await monitorStop.CancelAsync();
        var samples = await monitor;
        await Task.Delay(s.Settle);
        var after = s.Watch.Select(Sample).ToArray();

        WriteJson(s, state, elapsed, samples, before, after);
        return 0;
    }

    /// <summary>One streamed request, read to its end; counts its SSE events and the gaps between them.</summary>
    private static async Task StreamAsync(HttpMessageInvoker invoker, HoldSettings s, int chunks, HoldState state, CancellationToken cancellationToken)
    {
        var body = LoadGenerator.ChatBody(s.Model, stream: true, maxTokens: chunks);
        var begin = Stopwatch.GetTimestamp();
        var open = false;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, s.Url)
            {
                Version = HttpVersion.Version11,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                Content = new ByteArrayContent(body),
            };
            request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
            using var response = await invoker.SendAsync(request, cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                state.Fail($"HTTP {(int)response.StatusCode}");
                return;
            }

            Interlocked.Increment(ref state.Connected);
            state.Opened();
            open = true;
            var content = await response.Content.ReadAsStreamAsync(cancellationToken);
            await using (content.ConfigureAwait(false))
            {
                var buffer = new byte[4096];
                var line = new byte[64]; // only a line's start matters: "data: [DONE]" or "data: "
                var lineLength = 0;
                var done = false;
                var first = true;
                long last = 0;
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    if (first)
                    {
                        first = false;
                        state.RecordTtfb((long)((Stopwatch.GetTimestamp() - begin) * NanosPerTick));
                    }

                    for (var i = 0; i < read; i++)
                    {
                        var b = buffer[i];
                        if (b != (byte)'\n')
                        {
                            if (lineLength < line.Length)
                            {
                                line[lineLength++] = b;
                            }

                            continue;
                        }

                        var text = line.AsSpan(0, lineLength);
                        lineLength = 0;
                        if (text.SequenceEqual("data: [DONE]"u8))
                        {
                            done = true;
                        }
                        else if (text.StartsWith("data:"u8))
                        {
                            var now = Stopwatch.GetTimestamp();
                            if (last != 0)
                            {
                                state.RecordGap((long)((now - last) * NanosPerTick));
                            }

                            last = now;
                            Interlocked.Increment(ref state.Chunks);
                        }
                    }
                }

                if (done)
                {
                    Interlocked.Increment(ref state.Completed);
                    state.RecordDuration((long)((Stopwatch.GetTimestamp() - begin) * NanosPerTick));
                }
                else
                {
                    state.Fail("stream ended without [DONE]");
                }
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            state.Fail(e.GetType().Name + ": " + e.Message);
        }
        finally
        {
            if (open)
            {
                state.Closed();
            }
        }
    }

    private static async Task<List<MonitorSample>> MonitorAsync(HoldSettings s, HoldState state, long start, CancellationToken stop)
    {
        var samples = new List<MonitorSample>();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        try
        {
            do
            {
                samples.Add(new MonitorSample(
                    Stopwatch.GetElapsedTime(start).TotalSeconds, Volatile.Read(ref state.Open), Interlocked.Read(ref state.Chunks),
                    s.Watch.Select(Sample).ToArray()));
            }
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException)
        {
        }

        return samples;
    }

    private sealed record MonitorSample(double Seconds, int Open, long Chunks, Memory[] Memory);

    /// <summary>One process's memory: VmRSS and VmHWM (kB, /proc) and the GC figures its startup hook last wrote.</summary>
    private sealed record Memory(long RssKb, long HwmKb, long GcHeap);

    private static Memory Sample((string Name, int Pid, string? GcFile) w)
    {
        long rss = 0, hwm = 0, heap = -1;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{w.Pid.ToString(CultureInfo.InvariantCulture)}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = Kb(line);
                }
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    hwm = Kb(line);
                }
            }

            if (w.GcFile is not null && File.Exists(w.GcFile))
            {
                foreach (var pair in File.ReadAllText(w.GcFile).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    var kv = pair.Split('=');
                    if (kv[0] == "heap")
                    {
                        heap = long.Parse(kv[1], CultureInfo.InvariantCulture);
                    }
                }
            }
        }
        catch (IOException)
        {
        }

        return new Memory(rss, hwm, heap);

        static long Kb(string line) =>
            long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    private static void WriteJson(HoldSettings s, HoldState state, TimeSpan elapsed, List<MonitorSample> samples, Memory[] before, Memory[] after)
    {
        // Delivery rate while every client held its stream: between the first and the last sample with all of them open.
        var held = samples.Where(x => x.Open == s.Clients).ToList();
        double? allHeldRate = held.Count >= 2 && held[^1].Seconds > held[0].Seconds
            ? (held[^1].Chunks - held[0].Chunks) / (held[^1].Seconds - held[0].Seconds)
            : null;

        using var output = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(output))
        {
            w.WriteStartObject();
            w.WriteString("label", s.Label);
            w.WriteString("url", s.Url.ToString());
            w.WriteNumber("clients", s.Clients);
            w.WriteNumber("chunks_per_stream", s.Chunks);
            w.WriteNumber("interval_ms", s.IntervalMs);
            w.WriteNumber("hold_s", Math.Round(s.Chunks * s.IntervalMs / 1000, 1));
            w.WriteNumber("ramp_s", s.Ramp.TotalSeconds);
            w.WriteNumber("settle_s", s.Settle.TotalSeconds);
            w.WriteNumber("elapsed_s", Math.Round(elapsed.TotalSeconds, 2));
            w.WriteNumber("connected", state.Connected);
            w.WriteNumber("completed", state.Completed);
            w.WriteNumber("errors", state.Errors);
            if (state.FirstError is not null)
            {
                w.WriteString("first_error", state.FirstError);
            }

            w.WriteNumber("max_open", state.MaxOpen);
            w.WriteNumber("all_held_s", held.Count >= 2 ? Math.Round(held[^1].Seconds - held[0].Seconds, 1) : 0);
            w.WriteNumber("events", state.Chunks);
            w.WriteNumber("expected_events_per_s", Math.Round(s.Clients * 1000 / s.IntervalMs, 1));
            if (allHeldRate is { } rate)
            {
                w.WriteNumber("events_per_s_all_held", Math.Round(rate, 1));
            }
            else
            {
                w.WriteNull("events_per_s_all_held");
            }

            w.WriteNumber("events_per_s_overall", Math.Round(state.Chunks / elapsed.TotalSeconds, 1));
            WriteMs(w, "ttfb_ms", state.Ttfb);
            WriteMs(w, "event_gap_ms", state.Gap);
            WriteMs(w, "stream_ms", state.Duration);

            w.WriteStartObject("memory");
            for (var i = 0; i < s.Watch.Length; i++)
            {
                var peak = samples.Select(x => x.Memory[i]).ToList();
                w.WriteStartObject(s.Watch[i].Name);
                w.WriteNumber("pid", s.Watch[i].Pid);
                WriteMemory(w, "before", before[i]);
                WriteMemory(w, "peak", new Memory(
                    peak.Select(m => m.RssKb).DefaultIfEmpty(0).Max(), after[i].HwmKb,
                    peak.Select(m => m.GcHeap).DefaultIfEmpty(-1).Max()));
                WriteMemory(w, "after", after[i]);
                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        output.Write("\n"u8);

        static void WriteMemory(Utf8JsonWriter w, string name, Memory m)
        {
            w.WriteStartObject(name);
            w.WriteNumber("rss_mb", Math.Round(m.RssKb / 1024.0, 1));
            w.WriteNumber("hwm_mb", Math.Round(m.HwmKb / 1024.0, 1));
            if (m.GcHeap >= 0)
            {
                w.WriteNumber("gc_heap_mb", Math.Round(m.GcHeap / 1048576.0, 1));
            }

            w.WriteEndObject();
        }

        static void WriteMs(Utf8JsonWriter w, string name, Histogram h)
        {
            w.WriteStartObject(name);
            w.WriteNumber("count", h.Count);
            w.WriteNumber("p50", Math.Round(h.Percentile(50) / 1e6, 3));
            w.WriteNumber("p99", Math.Round(h.Percentile(99) / 1e6, 3));
            w.WriteNumber("max", Math.Round(h.Max / 1e6, 3));
            w.WriteEndObject();
        }
    }

    /// <summary>Counters shared by every client; the histograms are few records a second, so one lock does.</summary>
    private sealed class HoldState
    {
        public long Connected;
        public long Completed;
        public long Errors;
        public long Chunks;
        public int Open;
        private readonly Lock _lock = new();
        private int _maxOpen;

        public string? FirstError { get; private set; }

        public int MaxOpen => Volatile.Read(ref _maxOpen);

        public Histogram Ttfb { get; } = new();

        public Histogram Gap { get; } = new();

        public Histogram Duration { get; } = new();

        public void Opened()
        {
            var open = Interlocked.Increment(ref Open);
            int max;
            while (open > (max = Volatile.Read(ref _maxOpen)) && Interlocked.CompareExchange(ref _maxOpen, open, max) != max)
            {
            }
        }

        public void Closed() => Interlocked.Decrement(ref Open);

        public void Fail(string message)
        {
            Interlocked.Increment(ref Errors);
            lock (_lock)
            {
                FirstError ??= message;
            }
        }

        public void RecordTtfb(long ns)
        {
            lock (_lock)
            {
                Ttfb.Record(ns);
            }
        }

        public void RecordGap(long ns)
        {
            lock (_lock)
            {
                Gap.Record(ns);
            }
        }

        public void RecordDuration(long ns)
        {
            lock (_lock)
            {
                Duration.Record(ns);
            }
        }
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AbstractCore.Bench;

/// <summary>
/// Reads the raw lines of one run (<c>c{N}-direct.json</c>, <c>c{N}-gateway.json</c>, <c>stream-c1-*.json</c>, optional
/// <c>*.cpu</c> with <c>name=seconds</c> pairs, <c>machine.txt</c> with <c>key: value</c> lines) and writes
/// <c>PATH.json</c> (raw figures, ratios, verdicts) and <c>PATH.md</c> (tables).
/// </summary>
internal static partial class Report
{
    public const double AddedP50TargetMs = 0.5;
    public const double RpsRatioTarget = 0.40;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static int Run(Options options)
    {
        var raw = options.Required("raw");
        var output = options.Required("out");
        var machine = ReadMachine(options.Required("machine"));
        var client = options.String("client") ?? "?";

        var plain = new SortedDictionary<int, (JsonObject Direct, JsonObject Gateway)>();
        foreach (var file in Directory.GetFiles(raw, "c*-direct.json"))
        {
            var match = ConnectionsLabel().Match(Path.GetFileName(file));
            if (match.Success)
            {
                var c = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
                plain[c] = (Load(file), Load(Path.Combine(raw, $"c{c}-gateway.json")));
            }
        }

        if (plain.Count == 0)
        {
            throw new ArgumentException($"no c<N>-direct.json in {raw}");
        }

        var streamDirectFile = Path.Combine(raw, "stream-c1-direct.json");
        (JsonObject Direct, JsonObject Gateway)? stream = File.Exists(streamDirectFile)
            ? (Load(streamDirectFile), Load(Path.Combine(raw, "stream-c1-gateway.json")))
            : null;

        var ratios = new JsonObject();
        foreach (var (c, pair) in plain)
        {
            ratios[$"c{c}"] = new JsonObject
            {
                ["rps_ratio"] = Round(Num(pair.Gateway, "rps") / Num(pair.Direct, "rps"), 3),
                ["added_p50_ms"] = Round(Num(pair.Gateway, "latency_ms", "p50") - Num(pair.Direct, "latency_ms", "p50"), 4),
                ["added_p99_ms"] = Round(Num(pair.Gateway, "latency_ms", "p99") - Num(pair.Direct, "latency_ms", "p99"), 4),
            };
        }

        if (stream is { } s)
        {
            ratios["stream_c1"] = new JsonObject
            {
                ["added_ttfb_p50_ms"] = Round(Num(s.Gateway, "ttfb_ms", "p50") - Num(s.Direct, "ttfb_ms", "p50"), 4),
                ["added_ttfb_p99_ms"] = Round(Num(s.Gateway, "ttfb_ms", "p99") - Num(s.Direct, "ttfb_ms", "p99"), 4),
                ["added_total_p50_ms"] = Round(Num(s.Gateway, "latency_ms", "p50") - Num(s.Direct, "latency_ms", "p50"), 4),
            };
        }

        var targets = new JsonArray();
        var minC = plain.Keys.First();
        var maxC = plain.Keys.Last();
        if (minC == 1)
        {
            var added = (double)ratios["c1"]!["added_p50_ms"]!;
            targets.Add(Target("added p50 latency at 1 connection", $"<= {Fmt(AddedP50TargetMs)} ms", $"{Fmt(added)} ms", added <= AddedP50TargetMs));
        }

        if (maxC == 64)
        {
            var ratio = (double)ratios["c64"]!["rps_ratio"]!;
            targets.Add(Target("gateway requests/s at 64 connections, of direct", $">= {RpsRatioTarget:P0}", ratio.ToString("P1", CultureInfo.InvariantCulture), ratio >= RpsRatioTarget));
        }

        var document = new JsonObject
        {
            ["name"] = Path.GetFileName(output),
            ["client"] = client,
            ["machine"] = machine,
            ["non_streamed"] = new JsonArray([.. plain.Select(p => (JsonNode)new JsonObject
            {
                ["connections"] = p.Key,
                ["direct"] = p.Value.Direct.DeepClone(),
                ["gateway"] = p.Value.Gateway.DeepClone(),
            })]),
            ["streamed"] = stream is { } st ? new JsonObject { ["connections"] = 1, ["direct"] = st.Direct.DeepClone(), ["gateway"] = st.Gateway.DeepClone() } : null,
            ["ratios"] = ratios,
            ["targets"] = targets,
        };

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        File.WriteAllText(output + ".json", document.ToJsonString(Indented) + "\n");
        File.WriteAllText(output + ".md", Markdown(document, plain, stream, machine, client));
        Console.WriteLine(File.ReadAllText(output + ".md"));
        return targets.All(t => (bool)t!["pass"]!) ? 0 : 3;
    }

    private static JsonObject Target(string what, string target, string measured, bool pass) =>
        new() { ["what"] = what, ["target"] = target, ["measured"] = measured, ["pass"] = pass };

    private static string Markdown(
        JsonObject document, SortedDictionary<int, (JsonObject Direct, JsonObject Gateway)> plain,
        (JsonObject Direct, JsonObject Gateway)? stream, JsonObject machine, string client)
    {
        var md = new StringBuilder();
        var any = plain.Values.First().Direct;
        md.AppendLine(CultureInfo.InvariantCulture, $"# Chat completions: gateway vs fake upstream directly ({document["name"]})");
        md.AppendLine();
        md.AppendLine("Zero-latency fake upstream (TestKit `FakeOpenAIUpstream`, record=false, default short text reply); closed-loop load, " +
                      "one small chat body; client, gateway and upstream are three processes on the same machine. " +
                      $"Non-streamed load client: **{client}**; streamed TTFB client: AbstractCore.Bench `load --stream`. " +
                      $"Each point: {Num(any, "duration_s"):0} s measured after a separate warm-up.");
        md.AppendLine();
        md.AppendLine("## Verdict");
        md.AppendLine();
        md.AppendLine("| target | wanted | measured | result |");
        md.AppendLine("| --- | --- | --- | --- |");
        foreach (var t in document["targets"]!.AsArray())
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {t!["what"]} | {t["target"]} | {t["measured"]} | {((bool)t["pass"]! ? "PASS" : "**FAIL**")} |");
        }

        var busiest = document["non_streamed"]!.AsArray()
            .SelectMany(p => new[] { p!["direct"]!.AsObject(), p["gateway"]!.AsObject() })
            .Concat(stream is { } both ? [both.Direct, both.Gateway] : [])
            .Select(OtherCores).Max();
        if (busiest > 0.15)
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture,
                $"Note: other processes on the machine used up to {busiest:0.00} cores during a measured point (column \"other\" below); " +
                $"the figures of such points are disturbed.");
        }

        md.AppendLine();
        md.AppendLine("## Non-streamed `POST /v1/chat/completions`");
        md.AppendLine();
        md.AppendLine("| connections | target | requests/s | p50 ms | p90 ms | p99 ms | errors | CPU cores used: client / upstream / gateway / other | CPU µs per request: upstream / gateway |");
        md.AppendLine("| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |");
        foreach (var (c, pair) in plain)
        {
            Row(md, c, "direct", pair.Direct);
            Row(md, c, "gateway", pair.Gateway);
        }

        md.AppendLine();
        md.AppendLine("| connections | gateway/direct requests/s | added p50 ms | added p99 ms |");
        md.AppendLine("| ---: | ---: | ---: | ---: |");
        foreach (var c in plain.Keys)
        {
            var r = document["ratios"]![$"c{c}"]!;
            md.AppendLine(CultureInfo.InvariantCulture, $"| {c} | {(double)r["rps_ratio"]!:P1} | {Fmt((double)r["added_p50_ms"]!)} | {Fmt((double)r["added_p99_ms"]!)} |");
        }

        if (stream is { } s)
        {
            md.AppendLine();
            md.AppendLine("## Streamed (`\"stream\": true`), 1 connection");
            md.AppendLine();
            md.AppendLine("TTFB: from sending the request to the first byte of the response body (the first SSE event); total: to the end of the stream.");
            md.AppendLine();
            md.AppendLine("| target | requests/s | TTFB p50 ms | TTFB p99 ms | total p50 ms | total p99 ms | errors |");
            md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var (name, run) in new[] { ("direct", s.Direct), ("gateway", s.Gateway) })
            {
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {name} | {Num(run, "rps"):0} | {Fmt(Num(run, "ttfb_ms", "p50"))} | {Fmt(Num(run, "ttfb_ms", "p99"))} | " +
                    $"{Fmt(Num(run, "latency_ms", "p50"))} | {Fmt(Num(run, "latency_ms", "p99"))} | {Num(run, "errors"):0} |");
            }

            var r = document["ratios"]!["stream_c1"]!;
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture,
                $"Added by the gateway: TTFB p50 {Fmt((double)r["added_ttfb_p50_ms"]!)} ms, TTFB p99 {Fmt((double)r["added_ttfb_p99_ms"]!)} ms, " +
                $"whole stream p50 {Fmt((double)r["added_total_p50_ms"]!)} ms.");
        }

        md.AppendLine();
        md.AppendLine("## Machine");
        md.AppendLine();
        foreach (var (key, value) in machine)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- {key}: {value}");
        }

        md.AppendLine();
        md.AppendLine("Raw figures: the `.json` file of the same name. How to read them: `bench/README.md`.");
        return md.ToString();
    }

    private static void Row(StringBuilder md, int connections, string name, JsonObject run)
    {
        var seconds = Num(run, "duration_s");
        var requests = Math.Max(1, Num(run, "requests"));
        var cpu = run["cpu_s"] as JsonObject;
        string Cores(string who) => cpu?[who] is { } v ? ((double)v / seconds).ToString("0.00", CultureInfo.InvariantCulture) : "–";
        string PerRequest(string who) => cpu?[who] is { } v ? ((double)v / requests * 1e6).ToString("0", CultureInfo.InvariantCulture) : "–";
        string Other() => cpu?["machine"] is null ? "–" : OtherCores(run).ToString("0.00", CultureInfo.InvariantCulture);

        var perRequest = name == "gateway" ? $"{PerRequest("upstream")} / {PerRequest("gateway")}" : $"{PerRequest("upstream")} / –";
        md.AppendLine(CultureInfo.InvariantCulture,
            $"| {connections} | {name} | {Num(run, "rps"):0} | {Fmt(Num(run, "latency_ms", "p50"))} | {Fmt(Num(run, "latency_ms", "p90"))} | " +
            $"{Fmt(Num(run, "latency_ms", "p99"))} | {Num(run, "errors"):0} | {Cores("client")} / {Cores("upstream")} / {Cores("gateway")} / {Other()} | {perRequest} |");
    }

    /// <summary>Cores busy with processes other than client, upstream and gateway during the measured window.</summary>
    private static double OtherCores(JsonObject run)
    {
        if (run["cpu_s"] is not JsonObject cpu || cpu["machine"] is not { } all)
        {
            return 0;
        }

        var others = (double)all - new[] { "client", "upstream", "gateway" }.Sum(w => cpu[w] is { } v ? (double)v : 0);
        return Math.Max(0, others / Num(run, "duration_s"));
    }

    private static JsonObject Load(string file)
    {
        if (!File.Exists(file))
        {
            throw new ArgumentException($"missing {file}");
        }

        var line = File.ReadLines(file).LastOrDefault(l => l.StartsWith('{')) ?? throw new ArgumentException($"no JSON line in {file}");
        var run = JsonNode.Parse(line)!.AsObject();
        var cpuFile = Path.ChangeExtension(file, ".cpu");
        if (File.Exists(cpuFile))
        {
            var cpu = new JsonObject();
            foreach (var pair in File.ReadAllText(cpuFile).Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries))
            {
                var parts = pair.Split('=');
                cpu[parts[0]] = double.Parse(parts[1], CultureInfo.InvariantCulture);
            }

            run["cpu_s"] = cpu;
        }

        return run;
    }

    private static JsonObject ReadMachine(string file)
    {
        var machine = new JsonObject();
        foreach (var line in File.ReadLines(file))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                machine[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }

        return machine;
    }

    private static double Num(JsonObject run, string name, string? inner = null)
    {
        var node = inner is null ? run[name] : run[name]?[inner];
        return node is null ? double.NaN : (double)node;
    }

    private static double Round(double value, int digits) => Math.Round(value, digits);

    private static string Fmt(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^c(\d+)-direct\.json$")]
    private static partial Regex ConnectionsLabel();
}

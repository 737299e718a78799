using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AbstractCore.Bench;

/// <summary>
/// Reads the raw lines of one run (<c>c{N}-{target}.json</c> non-streamed, <c>sse-c{N}-{target}.json</c> streamed,
/// <c>stream-c1-{target}.json</c> streamed with time to first byte, for the targets direct, gateway, yarp and nginx;
/// optional <c>*.cpu</c> with <c>name=seconds</c> pairs, <c>machine.txt</c> with <c>key: value</c> lines) and writes
/// <c>PATH.json</c> (raw figures, ratios, verdicts) and <c>PATH.md</c> (tables).
/// </summary>
internal static partial class Report
{
    public const double AddedP50TargetMs = 0.5;
    public const double RpsRatioTarget = 0.40;

    // Against the bare YARP pass-through of the same run (issue 15).
    public const double YarpRpsTarget = 1.00;
    public const double YarpStreamRpsTarget = 0.90;
    public const double YarpCpuTarget = 1.10;
    public const double YarpAddedP50TargetMs = 0.05;

    /// <summary>The targets in report order; the process whose CPU is the target's own (direct: the fake itself).</summary>
    private static readonly (string Name, string Process)[] Targets =
        [("direct", "upstream"), ("gateway", "gateway"), ("yarp", "yarp"), ("nginx", "nginx")];

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static int Run(Options options)
    {
        var raw = options.Required("raw");
        var output = options.Required("out");
        var machine = ReadMachine(options.Required("machine"));
        var client = options.String("client") ?? "?";

        var plain = ReadPoints(raw, "c");
        var streamed = ReadPoints(raw, "sse-c");
        if (plain.Count == 0 || plain.Values.Any(p => !p.ContainsKey("direct") || !p.ContainsKey("gateway")))
        {
            throw new ArgumentException($"no c<N>-direct.json and c<N>-gateway.json in {raw}");
        }

        var ttfb = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var (name, _) in Targets)
        {
            var file = Path.Combine(raw, $"stream-c1-{name}.json");
            if (File.Exists(file))
            {
                ttfb[name] = Load(file);
            }
        }

        var ratios = new JsonObject();
        foreach (var (c, point) in plain)
        {
            ratios[$"c{c}"] = new JsonObject
            {
                ["rps_ratio"] = Round(Num(point["gateway"], "rps") / Num(point["direct"], "rps"), 3),
                ["added_p50_ms"] = Round(AddedP50(point, "gateway"), 4),
                ["added_p99_ms"] = Round(Num(point["gateway"], "latency_ms", "p99") - Num(point["direct"], "latency_ms", "p99"), 4),
            };
        }

        if (ttfb.TryGetValue("direct", out var ttfbDirect) && ttfb.TryGetValue("gateway", out var ttfbGateway))
        {
            ratios["stream_c1"] = new JsonObject
            {
                ["added_ttfb_p50_ms"] = Round(Num(ttfbGateway, "ttfb_ms", "p50") - Num(ttfbDirect, "ttfb_ms", "p50"), 4),
                ["added_ttfb_p99_ms"] = Round(Num(ttfbGateway, "ttfb_ms", "p99") - Num(ttfbDirect, "ttfb_ms", "p99"), 4),
                ["added_total_p50_ms"] = Round(Num(ttfbGateway, "latency_ms", "p50") - Num(ttfbDirect, "latency_ms", "p50"), 4),
            };
        }

        // Gateway against each proxy baseline, per mode and connection count.
        foreach (var baseline in new[] { "yarp", "nginx" })
        {
            var vs = new JsonObject();
            foreach (var (mode, points) in new[] { ("non_streamed", plain), ("streamed", streamed) })
            {
                foreach (var (c, point) in points.Where(p => p.Value.ContainsKey(baseline)))
                {
                    vs[$"{mode}_c{c}"] = new JsonObject
                    {
                        ["rps_ratio"] = Finite(Num(point["gateway"], "rps") / Num(point[baseline], "rps"), 3),
                        ["cpu_per_request_ratio"] = Finite(CpuPerRequestUs(point["gateway"], "gateway") / CpuPerRequestUs(point[baseline], baseline), 3),
                        ["added_p50_difference_ms"] = Finite(AddedP50(point, "gateway") - AddedP50(point, baseline), 4),
                    };
                }
            }

            if (vs.Count > 0)
            {
                ratios[$"gateway_vs_{baseline}"] = vs;
            }
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

        if (ratios["gateway_vs_yarp"] is JsonObject yarp)
        {
            if (yarp["non_streamed_c64"]?["rps_ratio"] is not null && yarp["non_streamed_c64"] is { } p64)
            {
                var rps = (double)p64["rps_ratio"]!;
                targets.Add(Target("gateway requests/s at 64 connections, of YARP (non-streamed)", $">= {YarpRpsTarget:P0}", rps.ToString("P1", CultureInfo.InvariantCulture), rps >= YarpRpsTarget));
            }

            if (yarp["streamed_c64"]?["rps_ratio"] is not null && yarp["streamed_c64"] is { } s64)
            {
                var rps = (double)s64["rps_ratio"]!;
                targets.Add(Target("gateway requests/s at 64 connections, of YARP (streamed)", $">= {YarpStreamRpsTarget:P0}", rps.ToString("P1", CultureInfo.InvariantCulture), rps >= YarpStreamRpsTarget));
            }

            foreach (var mode in (string[])["non-streamed", "streamed"])
            {
                if (yarp[$"{mode.Replace('-', '_')}_c64"]?["cpu_per_request_ratio"] is { } ratio)
                {
                    var cpu = (double)ratio;
                    targets.Add(Target($"gateway CPU per request ÷ YARP's ({mode}, 64 connections)", $"<= {YarpCpuTarget:0.0#}×", $"{cpu:0.00}×", cpu <= YarpCpuTarget));
                }
            }

            if (yarp["non_streamed_c1"]?["added_p50_difference_ms"] is not null && yarp["non_streamed_c1"] is { } c1)
            {
                var diff = (double)c1["added_p50_difference_ms"]!;
                targets.Add(Target("added p50 at 1 connection, gateway − YARP (non-streamed)", $"<= {Fmt(YarpAddedP50TargetMs)} ms", $"{Fmt(diff)} ms", diff <= YarpAddedP50TargetMs));
            }
        }

        var document = new JsonObject
        {
            ["name"] = Path.GetFileName(output),
            ["client"] = client,
            ["machine"] = machine,
            ["non_streamed"] = PointsJson(plain),
            ["streamed_load"] = PointsJson(streamed),
            ["streamed"] = ttfb.Count > 0 ? Point(1, ttfb) : null,
            ["ratios"] = ratios,
            ["targets"] = targets,
        };

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        File.WriteAllText(output + ".json", document.ToJsonString(Indented) + "\n");
        File.WriteAllText(output + ".md", Markdown(document, plain, streamed, ttfb, machine, client));
        Console.WriteLine(File.ReadAllText(output + ".md"));
        return targets.All(t => (bool)t!["pass"]!) ? 0 : 3;
    }

    private static SortedDictionary<int, Dictionary<string, JsonObject>> ReadPoints(string raw, string prefix)
    {
        var points = new SortedDictionary<int, Dictionary<string, JsonObject>>();
        foreach (var file in Directory.GetFiles(raw, prefix + "*.json"))
        {
            var match = PointLabel().Match(Path.GetFileName(file));
            if (match.Success && match.Groups[1].Value == prefix && Targets.Any(t => t.Name == match.Groups[3].Value))
            {
                var c = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
                if (!points.TryGetValue(c, out var point))
                {
                    points[c] = point = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
                }

                point[match.Groups[3].Value] = Load(file);
            }
        }

        return points;
    }

    private static JsonObject Point(int connections, IReadOnlyDictionary<string, JsonObject> point)
    {
        var json = new JsonObject { ["connections"] = connections };
        foreach (var (name, _) in Targets.Where(t => point.ContainsKey(t.Name)))
        {
            json[name] = point[name].DeepClone();
        }

        return json;
    }

    private static JsonArray PointsJson(SortedDictionary<int, Dictionary<string, JsonObject>> points) =>
        new([.. points.Select(p => (JsonNode)Point(p.Key, p.Value))]);

    private static double AddedP50(Dictionary<string, JsonObject> point, string target) =>
        Num(point[target], "latency_ms", "p50") - Num(point["direct"], "latency_ms", "p50");

    /// <summary>CPU µs per request of the target's own process (direct: the fake upstream).</summary>
    private static double CpuPerRequestUs(JsonObject run, string target)
    {
        var process = Targets.First(t => t.Name == target).Process;
        return run["cpu_s"]?[process] is { } v ? (double)v / Math.Max(1, Num(run, "requests")) * 1e6 : double.NaN;
    }

    private static JsonObject Target(string what, string target, string measured, bool pass) =>
        new() { ["what"] = what, ["target"] = target, ["measured"] = measured, ["pass"] = pass };

    private static string Markdown(
        JsonObject document, SortedDictionary<int, Dictionary<string, JsonObject>> plain,
        SortedDictionary<int, Dictionary<string, JsonObject>> streamed, SortedDictionary<string, JsonObject> ttfb,
        JsonObject machine, string client)
    {
        var md = new StringBuilder();
        var any = plain.Values.First()["direct"];
        var names = Targets.Select(t => t.Name).Where(n => plain.Values.Any(p => p.ContainsKey(n))).ToArray();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Chat completions: gateway vs fake upstream directly, YARP and nginx ({document["name"]})");
        md.AppendLine();
        md.AppendLine("Zero-latency fake upstream (TestKit `FakeOpenAIUpstream`, record=false, default short text reply); closed-loop load, " +
                      "one small chat body; client, proxy and upstream are separate processes on the same machine. Targets: " +
                      string.Join(", ", names.Select(Describe)) + ". " +
                      $"Load client: **{client}** (streamed time to first byte: AbstractCore.Bench `load --stream`). " +
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

        var busiest = plain.Values.Concat(streamed.Values).SelectMany(p => p.Values).Concat(ttfb.Values).Select(OtherCores).Max();
        if (busiest > 0.15)
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture,
                $"Note: other processes on the machine used up to {busiest:0.00} cores during a measured point (column \"other\" below); " +
                $"the figures of such points are disturbed.");
        }

        if (document["ratios"]?["gateway_vs_yarp"] is JsonObject || document["ratios"]?["gateway_vs_nginx"] is JsonObject)
        {
            md.AppendLine();
            md.AppendLine("## Gateway ÷ proxy baselines");
            md.AppendLine();
            md.AppendLine("Requests/s and CPU µs per request (each proxy's own process) of the gateway divided by the baseline's; added p50: " +
                          "the gateway's p50 − direct minus the baseline's p50 − direct, in ms.");
            md.AppendLine();
            md.AppendLine("| mode | connections | baseline | requests/s ratio | CPU/request ratio | added p50 difference ms |");
            md.AppendLine("| --- | ---: | --- | ---: | ---: | ---: |");
            foreach (var mode in new[] { "non_streamed", "streamed" })
            {
                foreach (var c in (mode == "streamed" ? streamed : plain).Keys)
                {
                    foreach (var baseline in new[] { "yarp", "nginx" })
                    {
                        if (document["ratios"]?[$"gateway_vs_{baseline}"]?[$"{mode}_c{c}"] is { } r)
                        {
                            md.AppendLine(CultureInfo.InvariantCulture,
                                $"| {mode.Replace('_', '-')} | {c} | {baseline} | {Show(r["rps_ratio"], v => v.ToString("P1", CultureInfo.InvariantCulture))} | " +
                                $"{Show(r["cpu_per_request_ratio"], v => Fmt2(v) + "×")} | {Show(r["added_p50_difference_ms"], Fmt)} |");
                        }
                    }
                }
            }
        }

        foreach (var (title, points) in new[]
                 {
                     ("Non-streamed `POST /v1/chat/completions`", plain),
                     ("Streamed (`\"stream\": true`) `POST /v1/chat/completions`, latency to the end of the stream", streamed),
                 })
        {
            if (points.Count == 0)
            {
                continue;
            }

            md.AppendLine();
            md.AppendLine("## " + title);
            md.AppendLine();
            md.AppendLine("| connections | target | requests/s | p50 ms | p90 ms | p99 ms | added p50 ms | errors | CPU cores used: client / upstream / proxy / other | CPU µs per request: upstream / proxy |");
            md.AppendLine("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |");
            foreach (var (c, point) in points)
            {
                foreach (var (name, _) in Targets.Where(t => point.ContainsKey(t.Name)))
                {
                    Row(md, c, name, point[name], name == "direct" ? "–" : Fmt(AddedP50(point, name)));
                }
            }
        }

        md.AppendLine();
        md.AppendLine("| connections | gateway/direct requests/s | added p50 ms | added p99 ms |");
        md.AppendLine("| ---: | ---: | ---: | ---: |");
        foreach (var c in plain.Keys)
        {
            var r = document["ratios"]![$"c{c}"]!;
            md.AppendLine(CultureInfo.InvariantCulture, $"| {c} | {(double)r["rps_ratio"]!:P1} | {Fmt((double)r["added_p50_ms"]!)} | {Fmt((double)r["added_p99_ms"]!)} |");
        }

        if (ttfb.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Streamed, 1 connection, time to first byte (.NET client)");
            md.AppendLine();
            md.AppendLine("TTFB: from sending the request to the first byte of the response body (the first SSE event); total: to the end of the stream.");
            md.AppendLine();
            md.AppendLine("| target | requests/s | TTFB p50 ms | TTFB p99 ms | total p50 ms | total p99 ms | errors |");
            md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var (name, _) in Targets.Where(t => ttfb.ContainsKey(t.Name)))
            {
                var run = ttfb[name];
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {name} | {Num(run, "rps"):0} | {Fmt(Num(run, "ttfb_ms", "p50"))} | {Fmt(Num(run, "ttfb_ms", "p99"))} | " +
                    $"{Fmt(Num(run, "latency_ms", "p50"))} | {Fmt(Num(run, "latency_ms", "p99"))} | {Num(run, "errors"):0} |");
            }

            if (document["ratios"]!["stream_c1"] is { } r)
            {
                md.AppendLine();
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"Added by the gateway: TTFB p50 {Fmt((double)r["added_ttfb_p50_ms"]!)} ms, TTFB p99 {Fmt((double)r["added_ttfb_p99_ms"]!)} ms, " +
                    $"whole stream p50 {Fmt((double)r["added_total_p50_ms"]!)} ms.");
            }
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

    private static string Describe(string target) => target switch
    {
        "direct" => "`direct` (the fake itself)",
        "gateway" => "`gateway` (AbstractCore.Api, Release)",
        "yarp" => "`yarp` (bare YARP pass-through, bench/AbstractCore.YarpBaseline)",
        "nginx" => "`nginx` (reverse proxy, upstream keepalive, proxy_buffering off)",
        _ => target,
    };

    private static void Row(StringBuilder md, int connections, string name, JsonObject run, string addedP50)
    {
        var seconds = Num(run, "duration_s");
        var requests = Math.Max(1, Num(run, "requests"));
        var cpu = run["cpu_s"] as JsonObject;
        var process = Targets.First(t => t.Name == name).Process;
        string Cores(string who) => cpu?[who] is { } v ? ((double)v / seconds).ToString("0.00", CultureInfo.InvariantCulture) : "–";
        string PerRequest(string who) => cpu?[who] is { } v ? ((double)v / requests * 1e6).ToString("0", CultureInfo.InvariantCulture) : "–";
        string Other() => cpu?["machine"] is null ? "–" : OtherCores(run).ToString("0.00", CultureInfo.InvariantCulture);

        var proxyCores = name == "direct" ? "–" : Cores(process);
        var perRequest = name == "direct" ? $"{PerRequest("upstream")} / –" : $"{PerRequest("upstream")} / {PerRequest(process)}";
        md.AppendLine(CultureInfo.InvariantCulture,
            $"| {connections} | {name} | {Num(run, "rps"):0} | {Fmt(Num(run, "latency_ms", "p50"))} | {Fmt(Num(run, "latency_ms", "p90"))} | " +
            $"{Fmt(Num(run, "latency_ms", "p99"))} | {addedP50} | {Num(run, "errors"):0} | {Cores("client")} / {Cores("upstream")} / {proxyCores} / {Other()} | {perRequest} |");
    }

    /// <summary>Cores busy with processes other than the client and the servers of the run during the measured window.</summary>
    private static double OtherCores(JsonObject run)
    {
        if (run["cpu_s"] is not JsonObject cpu || cpu["machine"] is not { } all)
        {
            return 0;
        }

        var others = (double)all - cpu.Where(kv => kv.Key != "machine" && kv.Value is not null).Sum(kv => (double)kv.Value!);
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

    /// <summary>A ratio for the JSON: null when a figure is missing (NaN cannot be serialized).</summary>
    private static JsonNode? Finite(double value, int digits) => double.IsFinite(value) ? Math.Round(value, digits) : null;

    private static string Fmt(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Show(JsonNode? node, Func<double, string> format) => node is null ? "–" : format((double)node);

    private static string Fmt2(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(c|sse-c)(\d+)-([a-z]+)\.json$")]
    private static partial Regex PointLabel();
}

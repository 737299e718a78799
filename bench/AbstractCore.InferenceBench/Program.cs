using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using AbstractCore.InferenceBench;
using AbstractCore.TinyModels;

// Tokens/s on a generated model: the raw engine loop, Inference alone over HTTP, and the full gateway path.
//   dotnet run -c Release --project bench/AbstractCore.InferenceBench -- [--model bench|tiny] [--tokens 512] [--requests 6] [--rounds 5] [--out file.md]
//   … -- --mode blocs [--rounds 30] [--restarts 5] [--bloc-tokens 1000] [--out file.md]   (bloc KV artifacts: BlocsBench)
//   … -- --mode raw [--rounds 5]   (the raw engine loop alone, tokens/s per round at 1 and 4 streams)
//   … -- --mode embeddings [--trial true] [--requests 40] [--rounds 5] [--format base64|float] [--out file.md]   (EmbeddingsBench)
var options = Args(args);
if (options.GetValueOrDefault("mode") == "blocs")
{
    return await BlocsBench.RunAsync(options, RepoRoot());
}

if (options.GetValueOrDefault("mode") == "embeddings")
{
    return await EmbeddingsBench.RunAsync(options, RepoRoot());
}

var spec = options.GetValueOrDefault("model", "bench") == "tiny" ? TinyModelSpec.Tiny : TinyModelSpec.Bench;
var tokens = int.Parse(options.GetValueOrDefault("tokens", "512"), CultureInfo.InvariantCulture);
var requests = int.Parse(options.GetValueOrDefault("requests", "6"), CultureInfo.InvariantCulture); // passes a round, a request per stream each
var rounds = int.Parse(options.GetValueOrDefault("rounds", "5"), CultureInfo.InvariantCulture);
int? intraOp = options.GetValueOrDefault("intra-op") is { Length: > 0 } t ? int.Parse(t, CultureInfo.InvariantCulture) : null;
var prewarmRequests = int.Parse(options.GetValueOrDefault("prewarm", "600"), CultureInfo.InvariantCulture);
// Extra environment for one service ("NAME=value NAME2=value2"): runtime settings to compare without a rebuild.
var inferenceEnv = EnvList(options.GetValueOrDefault("inference-env"));
var apiEnv = EnvList(options.GetValueOrDefault("api-env"));
int[] streamCounts = [1, 4];
var root = RepoRoot();

var models = Path.Combine(Path.GetTempPath(), "acore-inference-bench-" + Environment.ProcessId);
var modelName = options.GetValueOrDefault("model", "bench") + "-model";
var modelDir = TinyModelWriter.Write(Path.Combine(models, modelName), spec);
Console.Error.WriteLine($"model: {modelName} ({spec.Layers} layers × hidden {spec.Hidden}, context {spec.ContextLength}); {tokens} tokens a request, {requests} passes a round, {rounds} rounds");

if (options.GetValueOrDefault("mode") == "raw")
{
    // The raw loop alone, one line per round (e.g. to compare ONNX Runtime GenAI versions: run two builds in turn).
    try
    {
        for (var round = 0; round < rounds; round++)
        {
            using var raw = new RawLoop(modelDir, tokens, intraOp);
            await raw.WarmAsync();
            foreach (var n in streamCounts)
            {
                var clock = Stopwatch.StartNew();
                var generated = 0L;
                for (var r = 0; r < requests; r++)
                {
                    generated += await raw.RunAsync(n);
                }

                Console.Write($"{(n == streamCounts[0] ? "" : ", ")}{n} streams {generated / clock.Elapsed.TotalSeconds:F0} tok/s");
            }

            Console.WriteLine();
        }
    }
    finally
    {
        Directory.Delete(models, true);
    }

    return 0;
}

var loadBefore = LoadAverage();
var rows = new List<(string Path, int Streams, double TokensPerSecond, double VsRaw)>();
// CPU µs per generated token, per process (bench client, Inference, Api): where the cores go, robust to other load.
var cpuRows = new List<(string Path, int Streams, double Client, double Inference, double Api)>();
const string Raw = "raw engine loop (in-process)";
const string Direct = "Inference over HTTP (no gateway)";
const string Full = "full gateway path (client → Api → Inference)";
// Every round runs on fresh processes and a fresh copy of the model in each: how fast a process runs the model
// stays with it for its life (its copy of the weights, where its threads and pages landed), by up to a tenth here, so
// one set of processes for the whole run made the run's figures a draw of that luck; a round each gives five draws.
var samples = new Dictionary<(string Path, int Streams), List<double>>();
var cpu = new Dictionary<(string Path, int Streams), List<(double Client, double Inference, double Api)>>();
var prewarmTime = TimeSpan.Zero;
try
{
    for (var round = 0; round < rounds; round++)
    {
        await RoundAsync(round);
    }
}
finally
{
    Directory.Delete(models, true);
}

async Task RoundAsync(int round)
{
    await using var inference = await ServiceProcess.StartAsync(
        Path.Combine(root, "AbstractCore.Inference/bin/Release/net10.0/linux-x64/AbstractCore.Inference.dll"),
        new Dictionary<string, string>
        {
            ["ABSTRACTCORE_ONNX_MODELS_DIR"] = models,
            ["ABSTRACTCORE_ONNX_MAX_CONCURRENCY"] = streamCounts.Max().ToString(CultureInfo.InvariantCulture),
            ["ABSTRACTCORE_ONNX_INTRA_OP_THREADS"] = intraOp?.ToString(CultureInfo.InvariantCulture) ?? "",
        }.Concat(inferenceEnv));
    await using var api = await ServiceProcess.StartAsync(
        Path.Combine(root, "AbstractCore.Api/bin/Release/net10.0/AbstractCore.Api.dll"),
        new Dictionary<string, string>
        {
            ["ABSTRACTCORE_INFERENCE_URL"] = new Uri(inference.Root, "v1").AbsoluteUri,
            ["ABSTRACTCORE_SERVER_ALLOW_UNAUTHENTICATED"] = "1",
            ["ABSTRACTCORE_SERVER_DISABLE_CENTRALIZED_CONFIG"] = "1",
        }.Concat(apiEnv));
    using var raw = new RawLoop(modelDir, tokens, intraOp);
    using var full = new GatewayPath(api.Root, "onnx/" + modelName, tokens);
    using var direct = new GatewayPath(inference.Root, modelName, tokens);

    // A fresh service JIT-compiles its hot paths (about 13,000 methods for the Api, steady only after some 300 requests:
    // tier 0, instrumented, tier 1), and tiered compilation's background worker took more CPU than the requests themselves
    // in a cold run, stealing cores from the engine. Warm both services with short requests first.
    var prewarm = Stopwatch.StartNew();
    using (var shortFull = new GatewayPath(api.Root, "onnx/" + modelName, 16))
    using (var shortDirect = new GatewayPath(inference.Root, modelName, 16))
    {
        for (var sent = 0; sent < prewarmRequests; sent += 4)
        {
            await shortFull.RunAsync(4);
            await shortDirect.RunAsync(4);
        }
    }

    prewarmTime += prewarm.Elapsed;

    // Within a round the three paths take turns pass by pass (each pass: every stream runs one request on one path),
    // so the machine's speed, which swings by a fifth within seconds here, falls on all of them alike.
    var paths = new (string Name, ITokenPath Path)[] { (Raw, raw), (Direct, direct), (Full, full) };
    foreach (var streams in streamCounts)
    {
        await ServiceProcess.WaitQuietAsync(inference, api); // background JIT of the previous requests done
        var timed = paths.ToDictionary(p => p.Name, _ => (Elapsed: TimeSpan.Zero, Tokens: 0L, Client: TimeSpan.Zero, Inference: TimeSpan.Zero, Api: TimeSpan.Zero));
        foreach (var (_, path) in paths)
        {
            await path.WarmAsync(); // untimed: each path's first request after the idle wait
        }

        // Each pass starts with another path: the one measured right after a pause (a machine whose cores run faster
        // after idling, a host whose other guests come and go) is not always the same one.
        for (var pass = 0; pass < requests; pass++)
        {
            for (var i = 0; i < paths.Length; i++)
            {
                var (name, path) = paths[(round + pass + i) % paths.Length];
                var (client, inf, gw) = (Environment.CpuUsage.TotalTime, inference.Cpu, api.Cpu);
                var clock = Stopwatch.StartNew();
                var generated = await path.RunAsync(streams);
                var elapsed = clock.Elapsed;
                var sum = timed[name];
                timed[name] = (sum.Elapsed + elapsed, sum.Tokens + generated, sum.Client + (Environment.CpuUsage.TotalTime - client),
                    sum.Inference + (inference.Cpu - inf), sum.Api + (api.Cpu - gw));
            }
        }

        foreach (var (name, sum) in timed)
        {
            (CollectionsMarshal.GetValueRefOrAddDefault(samples, (name, streams), out _) ??= []).Add(sum.Tokens / sum.Elapsed.TotalSeconds);
            (CollectionsMarshal.GetValueRefOrAddDefault(cpu, (name, streams), out _) ??= [])
                .Add((sum.Client.TotalMicroseconds / sum.Tokens, sum.Inference.TotalMicroseconds / sum.Tokens, sum.Api.TotalMicroseconds / sum.Tokens));
        }

        Console.Error.WriteLine($"round {round + 1}, streams {streams}: " + string.Join(", ", paths.Select(p => $"{p.Name.Split(' ')[0]} {samples[(p.Name, streams)][^1]:F0}")));
    }
}

static double Median(IEnumerable<double> values) => values.Order().ElementAt(values.Count() / 2);
foreach (var streams in streamCounts)
{
    foreach (var path in (string[])[Raw, Direct, Full])
    {
        var c = cpu[(path, streams)];
        // Each round compares the three paths on the same processes in the same minute: the ratio is taken round by round.
        var ratios = samples[(path, streams)].Zip(samples[(Raw, streams)], (tps, raw) => tps / raw);
        rows.Add((path, streams, Median(samples[(path, streams)]), Median(ratios)));
        cpuRows.Add((path, streams, Median(c.Select(x => x.Client)), Median(c.Select(x => x.Inference)), Median(c.Select(x => x.Api))));
    }
}

var report = new StringBuilder();
report.AppendLine(CultureInfo.InvariantCulture, $"# Local inference tokens/s ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
report.AppendLine();
report.Append(CultureInfo.InvariantCulture, $"Model: generated `{modelName}` ({spec.Layers} layers, hidden {spec.Hidden}, {spec.Heads} heads, GQA, fp32, context {spec.ContextLength}), CPU, {Environment.ProcessorCount} cores. " +
    $"Each round: one untimed warm-up request per path, then {requests} passes, each pass running every stream's request of {tokens} generated tokens (greedy) on one path after the other, " +
    $"in turns (each pass starting with the next path); a path's figure for the round is its tokens over its own passes' time. {rounds} rounds, each on fresh processes (Inference, Api) and a fresh model copy for the raw loop, after {prewarmRequests} pre-warm requests through each service (JIT; {prewarmTime.TotalSeconds / rounds:F0} s a round); the median round is shown. Inference runs with ABSTRACTCORE_ONNX_MAX_CONCURRENCY={streamCounts.Max()}; " +
    $"ONNX Runtime intra-op threads (raw loop and Inference alike): {(intraOp is null ? "runtime default" : intraOp.ToString())}");
if (Environment.GetEnvironmentVariable("ABSTRACTCORE_ONNX_ALLOW_SPINNING") is { Length: > 0 } spin)
{
    report.Append(CultureInfo.InvariantCulture, $", ABSTRACTCORE_ONNX_ALLOW_SPINNING={spin}");
}

report.Append('.');
if (inferenceEnv.Count + apiEnv.Count > 0)
{
    report.Append(CultureInfo.InvariantCulture, $" Extra environment: Inference `{EnvText(inferenceEnv)}`, Api `{EnvText(apiEnv)}`.");
}

report.AppendLine();
report.AppendLine();
report.AppendLine(CultureInfo.InvariantCulture, $"Machine load average (1 min) before / after: {loadBefore} / {LoadAverage()} (other processes share the cores: compare rows of one run, not runs).");
report.AppendLine();
report.AppendLine("Tokens/s: the median round. vs raw: the median of the rounds' own ratios (each round measures the three paths in turns on the same processes).");
report.AppendLine();
report.AppendLine("| path | streams | tokens/s | vs raw |");
report.AppendLine("|---|---:|---:|---:|");
foreach (var (path, streams, tps, vsRaw) in rows)
{
    report.AppendLine(CultureInfo.InvariantCulture, $"| {path} | {streams} | {tps:F0} | {vsRaw:P0} |");
}

report.AppendLine();
report.AppendLine("CPU time per generated token (µs, over each path's timed passes; median of the rounds; the raw loop runs in the bench process, which loads its own model):");
report.AppendLine();
report.AppendLine("| path | streams | bench client | Inference | Api | total |");
report.AppendLine("|---|---:|---:|---:|---:|---:|");
foreach (var (path, streams, client, inf, gw) in cpuRows)
{
    report.AppendLine(CultureInfo.InvariantCulture, $"| {path} | {streams} | {client:F0} | {inf:F0} | {gw:F0} | {client + inf + gw:F0} |");
}

Console.WriteLine(report);
if (options.GetValueOrDefault("out") is { } outFile)
{
    File.WriteAllText(outFile, report.ToString());
}

// The target: the full gateway path keeps at least 95% of the raw loop at every stream count.
var missed = rows.Any(r => r.Path == Full && r.VsRaw < 0.95);
return missed ? 3 : 0;

static Dictionary<string, string> EnvList(string? list) =>
    (list ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(pair => pair.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");

static string EnvText(Dictionary<string, string> env) => string.Join(' ', env.Select(e => $"{e.Key}={e.Value}"));

static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

static Dictionary<string, string> Args(string[] args)
{
    var map = new Dictionary<string, string>(StringComparer.Ordinal);
    for (var i = 0; i + 1 < args.Length; i += 2)
    {
        map[args[i].TrimStart('-')] = args[i + 1];
    }

    return map;
}

static string RepoRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "AbstractCore.sln")))
        {
            return dir.FullName;
        }
    }

    throw new InvalidOperationException("Run from inside the repository.");
}

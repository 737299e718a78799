using System.Globalization;
using System.Text;
using AbstractCore.InferenceBench;
using AbstractCore.TinyModels;

// Tokens/s on a generated model: the raw engine loop, Inference alone over HTTP, and the full gateway path.
//   dotnet run -c Release --project bench/AbstractCore.InferenceBench -- [--model bench|tiny] [--tokens 512] [--requests 2] [--rounds 5] [--out file.md]
var options = Args(args);
var spec = options.GetValueOrDefault("model", "bench") == "tiny" ? TinyModelSpec.Tiny : TinyModelSpec.Bench;
var tokens = int.Parse(options.GetValueOrDefault("tokens", "512"), CultureInfo.InvariantCulture);
var requests = int.Parse(options.GetValueOrDefault("requests", "2"), CultureInfo.InvariantCulture);
var rounds = int.Parse(options.GetValueOrDefault("rounds", "5"), CultureInfo.InvariantCulture);
int? intraOp = options.GetValueOrDefault("intra-op") is { Length: > 0 } t ? int.Parse(t, CultureInfo.InvariantCulture) : null;
int[] streamCounts = [1, 4];
var root = RepoRoot();

var models = Path.Combine(Path.GetTempPath(), "acore-inference-bench-" + Environment.ProcessId);
var modelName = options.GetValueOrDefault("model", "bench") + "-model";
var modelDir = TinyModelWriter.Write(Path.Combine(models, modelName), spec);
Console.Error.WriteLine($"model: {modelName} ({spec.Layers} layers × hidden {spec.Hidden}, context {spec.ContextLength}); {tokens} tokens a request, {requests} requests a stream");

var loadBefore = LoadAverage();
var rows = new List<(string Path, int Streams, double TokensPerSecond)>();
const string Raw = "raw engine loop (in-process)";
const string Direct = "Inference over HTTP (no gateway)";
const string Full = "full gateway path (client → Api → Inference)";
try
{
    await using var inference = await ServiceProcess.StartAsync(
        Path.Combine(root, "AbstractCore.Inference/bin/Release/net10.0/linux-x64/AbstractCore.Inference.dll"),
        new Dictionary<string, string>
        {
            ["ABSTRACTCORE_ONNX_MODELS_DIR"] = models,
            ["ABSTRACTCORE_ONNX_MAX_CONCURRENCY"] = streamCounts.Max().ToString(CultureInfo.InvariantCulture),
            ["ABSTRACTCORE_ONNX_INTRA_OP_THREADS"] = intraOp?.ToString(CultureInfo.InvariantCulture) ?? "",
        });
    await using var api = await ServiceProcess.StartAsync(
        Path.Combine(root, "AbstractCore.Api/bin/Release/net10.0/AbstractCore.Api.dll"),
        new Dictionary<string, string>
        {
            ["ABSTRACTCORE_INFERENCE_URL"] = new Uri(inference.Root, "v1").AbsoluteUri,
            ["ABSTRACTCORE_SERVER_ALLOW_UNAUTHENTICATED"] = "1",
            ["ABSTRACTCORE_SERVER_DISABLE_CENTRALIZED_CONFIG"] = "1",
        });

    // Rounds interleave the three paths, so load from other processes falls on all of them alike; the median is kept.
    foreach (var streams in streamCounts)
    {
        var samples = new Dictionary<string, List<double>> { [Raw] = [], [Direct] = [], [Full] = [] };
        for (var round = 0; round < rounds; round++)
        {
            samples[Raw].Add(RawLoop.TokensPerSecond(modelDir, streams, requests, tokens, intraOp));
            samples[Direct].Add(await GatewayPath.TokensPerSecondAsync(inference.Root, modelName, streams, requests, tokens));
            samples[Full].Add(await GatewayPath.TokensPerSecondAsync(api.Root, "onnx/" + modelName, streams, requests, tokens));
            Console.Error.WriteLine($"streams {streams}, round {round + 1}: " + string.Join(", ", samples.Select(p => $"{p.Key.Split(' ')[0]} {p.Value[^1]:F0}")));
        }

        foreach (var (path, values) in samples)
        {
            rows.Add((path, streams, values.Order().ElementAt(values.Count / 2)));
        }
    }
}
finally
{
    Directory.Delete(models, true);
}

var report = new StringBuilder();
report.AppendLine(CultureInfo.InvariantCulture, $"# Local inference tokens/s ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
report.AppendLine();
report.AppendLine(CultureInfo.InvariantCulture, $"Model: generated `{modelName}` ({spec.Layers} layers, hidden {spec.Hidden}, {spec.Heads} heads, GQA, fp32, context {spec.ContextLength}), CPU, {Environment.ProcessorCount} cores. " +
    $"Each measurement: every stream runs {requests} requests of {tokens} generated tokens (greedy) after one warm-up request; " +
    $"{rounds} rounds interleave the three paths and the median is shown. Inference runs with ABSTRACTCORE_ONNX_MAX_CONCURRENCY={streamCounts.Max()}; " +
    $"ONNX Runtime intra-op threads (raw loop and Inference alike): {(intraOp is null ? "runtime default" : intraOp.ToString())}.");
report.AppendLine();
report.AppendLine(CultureInfo.InvariantCulture, $"Machine load average (1 min) before / after: {loadBefore} / {LoadAverage()} (other processes share the cores: compare rows of one run, not runs).");
report.AppendLine();
report.AppendLine("| path | streams | tokens/s | vs raw |");
report.AppendLine("|---|---:|---:|---:|");
foreach (var (path, streams, tps) in rows)
{
    var raw = rows.First(r => r.Streams == streams).TokensPerSecond;
    report.AppendLine(CultureInfo.InvariantCulture, $"| {path} | {streams} | {tps:F0} | {tps / raw:P0} |");
}

Console.WriteLine(report);
if (options.GetValueOrDefault("out") is { } outFile)
{
    File.WriteAllText(outFile, report.ToString());
}

var gatewayRatio = rows.First(r => r.Path.StartsWith("full", StringComparison.Ordinal) && r.Streams == 1).TokensPerSecond / rows.First(r => r.Streams == 1).TokensPerSecond;
return gatewayRatio >= 0.9 ? 0 : 3;

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

using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using AbstractCore.Inference.Embeddings;
using AbstractCore.TinyModels;

namespace AbstractCore.InferenceBench;

/// <summary>
/// Embeddings/s of a generated sentence encoder at 1 and 32 inputs a request: the raw ONNX Runtime loop in-process (the
/// service's own EmbeddingModel: tokenize, run, pool, no HTTP), Inference over HTTP, and the full gateway path
/// (client → Api → Inference), rounds interleaved in one run, the median kept. Exit code 3 when the gateway path keeps
/// less than 90% of the raw loop at 32 inputs a request.
/// </summary>
internal static class EmbeddingsBench
{
    private const string Raw = "raw ONNX Runtime loop (in-process)";
    private const string Direct = "Inference over HTTP (no gateway)";
    private const string Full = "full gateway path (client → Api → Inference)";

    public static async Task<int> RunAsync(Dictionary<string, string> options, string root)
    {
        var trial = options.GetValueOrDefault("trial") == "true";
        var spec = trial ? EncoderSpec.Tiny : EncoderSpec.Bench;
        var requests = Int(options, "requests", trial ? 5 : 40);
        var rounds = Int(options, "rounds", trial ? 1 : 5);
        var prewarm = Int(options, "prewarm", trial ? 20 : 300);
        var format = options.GetValueOrDefault("format", "base64");
        int? intraOp = options.GetValueOrDefault("intra-op") is { Length: > 0 } t ? int.Parse(t, CultureInfo.InvariantCulture) : null;
        int[] batches = [1, 32];

        var models = Path.Combine(Path.GetTempPath(), "acore-embeddings-bench-" + Environment.ProcessId);
        const string name = "bench-embed";
        var folder = EncoderModelWriter.Write(Path.Combine(models, name), spec);
        var texts = Texts(spec.MaxLength);
        Console.Error.WriteLine($"model: {name} ({spec.Layers} layers × hidden {spec.Hidden}, max {spec.MaxLength} tokens); " +
                                $"{requests} requests a measurement, encoding_format {format}{(trial ? " (trial)" : "")}");

        var loadBefore = LoadAverage();
        var rows = new List<(string Path, int Batch, double PerSecond)>();
        try
        {
            using var raw = EmbeddingModel.Load(EmbeddingFolder.TryRead(folder)!, intraOp);
            await using var inference = await ServiceProcess.StartAsync(
                Path.Combine(root, "AbstractCore.Inference/bin/Release/net10.0/linux-x64/AbstractCore.Inference.dll"),
                new Dictionary<string, string>
                {
                    ["ABSTRACTCORE_ONNX_MODELS_DIR"] = models,
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
            using var direct = new HttpClient { BaseAddress = inference.Root, Timeout = TimeSpan.FromMinutes(10) };
            using var gateway = new HttpClient { BaseAddress = api.Root, Timeout = TimeSpan.FromMinutes(10) };

            // JIT warm-up of both services (and a check that every path answers the same number of vectors).
            for (var i = 0; i < prewarm; i++)
            {
                await PostAsync(direct, name, texts[..2], format);
                await PostAsync(gateway, "onnx/" + name, texts[..2], format);
            }

            await ServiceProcess.WaitQuietAsync(inference, api);
            foreach (var batch in batches)
            {
                var inputs = Enumerable.Range(0, batch).Select(i => texts[i % texts.Length]).ToArray();
                var samples = new Dictionary<string, List<double>> { [Raw] = [], [Direct] = [], [Full] = [] };
                for (var round = 0; round < rounds; round++)
                {
                    await ServiceProcess.WaitQuietAsync(inference, api);
                    samples[Raw].Add(RawLoop(raw, inputs, requests));
                    samples[Direct].Add(await HttpLoopAsync(direct, name, inputs, requests, format));
                    samples[Full].Add(await HttpLoopAsync(gateway, "onnx/" + name, inputs, requests, format));
                    Console.Error.WriteLine($"batch {batch}, round {round + 1}: " + string.Join(", ", samples.Select(p => $"{p.Key.Split(' ')[0]} {p.Value[^1]:F1}")));
                }

                rows.AddRange(samples.Select(p => (p.Key, batch, p.Value.Order().ElementAt(p.Value.Count / 2))));
            }
        }
        finally
        {
            Directory.Delete(models, true);
        }

        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"# Local embeddings/s ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC){(trial ? " — TRIAL (tiny model, 1 round: checks the script, measures nothing)" : "")}");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Model: generated `{name}` (BERT-style, {spec.Layers} layers, hidden {spec.Hidden}, {spec.Heads} heads, FFN {spec.Intermediate}, fp32), " +
            $"inputs of about {texts.Average(x => x.Split(' ').Length):F0} words, CPU, {Environment.ProcessorCount} cores. One client, sequential requests: {requests} per measurement after a warm-up; " +
            $"{rounds} rounds interleave the three paths and the median is shown, after {prewarm} pre-warm requests through each service. encoding_format {format}; " +
            $"ONNX Runtime intra-op threads: {(intraOp is null ? "runtime default" : intraOp.ToString())}.");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Machine load average (1 min) before / after: {loadBefore} / {LoadAverage()}.");
        report.AppendLine();
        report.AppendLine("| path | inputs a request | embeddings/s | vs raw |");
        report.AppendLine("|---|---:|---:|---:|");
        foreach (var (path, batch, perSecond) in rows)
        {
            var rawRate = rows.First(r => r.Batch == batch).PerSecond;
            report.AppendLine(CultureInfo.InvariantCulture, $"| {path} | {batch} | {perSecond:F1} | {perSecond / rawRate:P0} |");
        }

        Console.WriteLine(report);
        if (!trial && options.GetValueOrDefault("out") is { } outFile)
        {
            File.WriteAllText(outFile, report.ToString());
        }

        var ratio = rows.First(r => r.Path == Full && r.Batch == 32).PerSecond / rows.First(r => r.Path == Raw && r.Batch == 32).PerSecond;
        return trial || ratio >= 0.9 ? 0 : 3;
    }

    /// <summary>Sentences of whole-word tokens from the encoder's vocabulary: 45 to 48 words (2 to 12 for the trial's 16-token model), under the maximum with [CLS] and [SEP].</summary>
    private static string[] Texts(int maxLength)
    {
        string[] words = ["the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "hello", "world", "embed"];
        var longest = Math.Max(2, Math.Min(48, maxLength - 4));
        return [.. Enumerable.Range(0, 16).Select(i => string.Join(' ', Enumerable.Range(0, longest - (i % 4)).Select(j => words[(i + (j * 3)) % words.Length])))];
    }

    private static double RawLoop(EmbeddingModel model, string[] inputs, int requests)
    {
        Embed(model, inputs); // warm-up
        var clock = Stopwatch.StartNew();
        for (var r = 0; r < requests; r++)
        {
            Embed(model, inputs);
        }

        return requests * inputs.Length / clock.Elapsed.TotalSeconds;
    }

    private static void Embed(EmbeddingModel model, string[] inputs) =>
        model.Embed([.. inputs.Select(text => model.Tokenize(text, truncate: true, out _)!)], model.Dimensions);

    private static async Task<double> HttpLoopAsync(HttpClient http, string model, string[] inputs, int requests, string format)
    {
        await PostAsync(http, model, inputs, format); // warm-up
        var clock = Stopwatch.StartNew();
        for (var r = 0; r < requests; r++)
        {
            await PostAsync(http, model, inputs, format);
        }

        return requests * inputs.Length / clock.Elapsed.TotalSeconds;
    }

    private static async Task PostAsync(HttpClient http, string model, string[] inputs, string format)
    {
        var body = new JsonObject { ["model"] = model, ["input"] = new JsonArray([.. inputs.Select(i => (JsonNode)i)]), ["encoding_format"] = format };
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri("v1/embeddings", UriKind.Relative), content);
        var answer = await response.Content.ReadAsByteArrayAsync();
        if (!response.IsSuccessStatusCode || JsonNode.Parse(answer)?["data"]?.AsArray().Count != inputs.Length)
        {
            throw new InvalidOperationException($"{http.BaseAddress}v1/embeddings ({model}) answered {(int)response.StatusCode}: {Encoding.UTF8.GetString(answer)[..Math.Min(300, answer.Length)]}");
        }
    }

    private static int Int(Dictionary<string, string> options, string name, int fallback) =>
        options.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
}

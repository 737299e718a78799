using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using AbstractCore.TinyModels;

namespace AbstractCore.InferenceBench;

/// <summary>
/// <c>--mode blocs</c>: what a loaded bloc KV artifact saves, on one Inference process (Release build) and one generated
/// model deep enough for prefill to dominate:
/// 1. time to first token of a streamed chat whose prompt starts with a ~1,000-token bloc, with the artifact loaded into
///    the request's key (kv/load before each request, untimed) vs the same chat without a key (whole prompt prefilled);
/// 2. kv/load of the persisted artifact after an Inference restart (token ids read from disk, KV rebuilt by prefill)
///    vs kv/load recompiling it from the text (force_rebuild).
/// Rounds interleave the variants; medians are reported after a warm-up.
/// </summary>
internal static class BlocsBench
{
    private const int Pairs = 6; // timed kv/load pairs per restart

    public static async Task<int> RunAsync(Dictionary<string, string> options, string repoRoot)
    {
        var rounds = int.Parse(options.GetValueOrDefault("rounds", "30"), CultureInfo.InvariantCulture);
        var restarts = int.Parse(options.GetValueOrDefault("restarts", "5"), CultureInfo.InvariantCulture);
        var blocTokens = int.Parse(options.GetValueOrDefault("bloc-tokens", "1000"), CultureInfo.InvariantCulture);
        var spec = TinyModelSpec.Bench with { ContextLength = 4096 };
        var home = Path.Combine(Path.GetTempPath(), "acore-blocs-bench-" + Environment.ProcessId);
        var models = Path.Combine(home, "models");
        const string Model = "bench-blocs";
        TinyModelWriter.Write(Path.Combine(models, Model), spec);

        // "<|system|>" + text + "<|end|>": one token a byte in the generated tokenizer.
        var text = string.Concat(Enumerable.Repeat("The bloc remembers every fact about the orbit. ", (blocTokens / 40) + 1))[..(blocTokens - 2)];
        var environment = new Dictionary<string, string>
        {
            ["ABSTRACTCORE_ONNX_MODELS_DIR"] = models,
            ["ABSTRACTCORE_ONNX_BLOC_ARTIFACTS_DIR"] = Path.Combine(home, "artifacts"),
            ["ABSTRACTCORE_ONNX_STREAM_INTERVAL_MS"] = "0",
            ["ABSTRACTCORE_ONNX_DEFAULT_MAX_TOKENS"] = "64", // a key's KV buffer: the bloc plus this much room
        };
        var dll = Path.Combine(repoRoot, "AbstractCore.Inference/bin/Release/net10.0/linux-x64/AbstractCore.Inference.dll");
        Console.Error.WriteLine($"model: {Model} ({spec.Layers} layers × hidden {spec.Hidden}, context {spec.ContextLength}); bloc of {blocTokens} tokens; {rounds} rounds, {restarts} restarts");

        var loadBefore = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
        var withArtifact = new List<double>();
        var without = new List<double>();
        var cached = new List<int>();
        var persisted = new List<double>();
        var recompiled = new List<double>();
        string sha;
        try
        {
            await using (var inference = await ServiceProcess.StartAsync(dll, environment))
            {
                using var http = Client(inference.Root);
                var ensured = await PostAsync(http, "acore/blocs/kv/ensure", new JsonObject { ["model"] = Model, ["text"] = text });
                sha = (string)ensured["artifact"]!["manifest"]!["sha256"]!;
                var count = (int)ensured["artifact"]!["manifest"]!["token_count"]!;
                Console.Error.WriteLine($"artifact: {count} tokens");

                for (var round = -3; round < rounds; round++) // three warm-up rounds (JIT, allocator), not recorded
                {
                    var question = $"Question {round + 100}: what does the bloc say?";
                    var plain = await FirstTokenAsync(http, Chat(Model, text, question, null));
                    var load = await PostAsync(http, "acore/blocs/kv/load", new JsonObject { ["model"] = Model, ["sha256"] = sha, ["key"] = "bench:work" });
                    var bound = await FirstTokenAsync(http, Chat(Model, text, question, load["artifact"]!["prompt_cache_binding"]));
                    if (round >= 0)
                    {
                        without.Add(plain.Ms);
                        withArtifact.Add(bound.Ms);
                        cached.Add(bound.Cached);
                    }
                }
            }

            for (var restart = 0; restart < restarts; restart++)
            {
                await RestartAsync(dll, environment, inference => LoadTimesAsync(inference.Root, Model, sha, text, restart, persisted, recompiled));
            }
        }
        finally
        {
            Directory.Delete(home, true);
        }

        static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
        var cut = 1 - (Median(withArtifact) / Median(without));
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"# Bloc KV artifacts: prefill saved ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture,
            $"Model: generated `{Model}` ({spec.Layers} layers, hidden {spec.Hidden}, {spec.Heads} heads, GQA, fp32, context {spec.ContextLength}), CPU, " +
            $"{Environment.ProcessorCount} cores, one Release `AbstractCore.Inference` process (stream interval 0). Bloc: {blocTokens} tokens once rendered " +
            $"(a system message through the model's chat template). `kv_format`: `token_ids` (ONNX Runtime GenAI cannot restore KV tensors into a Generator, " +
            $"so a load rebuilds the KV by prefill from the stored token ids).");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture,
            $"Command: `dotnet bench/AbstractCore.InferenceBench/bin/Release/net10.0/linux-x64/AbstractCore.InferenceBench.dll --mode blocs --rounds {rounds} --restarts {restarts} --bloc-tokens {blocTokens} --out <file>` (after `dotnet build bench/AbstractCore.InferenceBench -c Release`).");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Machine load average (1 min) before / after: {loadBefore} / {(File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a")}.");
        report.AppendLine();
        report.AppendLine("## Time to first token, prompt = bloc + a new question (streamed, max_tokens 4)");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Median of {rounds} interleaved rounds after 3 warm-up rounds; each round asks a new question. With the artifact: `kv/load` into the request's key before the request (not timed), then the chat with `prompt_cache_binding`.");
        report.AppendLine();
        report.AppendLine("| variant | TTFT median (ms) | min | max | cached prompt tokens |");
        report.AppendLine("|---|---:|---:|---:|---:|");
        report.AppendLine(CultureInfo.InvariantCulture, $"| without the artifact (whole prompt prefilled) | {Median(without):F1} | {without.Min():F1} | {without.Max():F1} | 0 |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| artifact loaded, bound chat | {Median(withArtifact):F1} | {withArtifact.Min():F1} | {withArtifact.Max():F1} | {cached.Order().ElementAt(cached.Count / 2)} |");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"**Time to first token cut by {cut:P1}** (with ÷ without = {Median(withArtifact) / Median(without):F3}; target: cut ≥ 90%).");
        report.AppendLine();
        report.AppendLine("## kv/load after an Inference restart");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture,
            $"{restarts} restarts of the Inference process; in each, the model is loaded and the routes warmed on a small bloc, then {Pairs} pairs of timed `kv/load` " +
            $"(alternating order), each into a fresh stable key: from the persisted artifact (no text; token ids read, KV rebuilt by prefill) vs recompiling " +
            $"(text + `force_rebuild`: chat template, tokenizer, prefill (kept as the key's KV state), artifact and manifest written).");
        report.AppendLine();
        report.AppendLine("| variant | kv/load median (ms) | min | max |");
        report.AppendLine("|---|---:|---:|---:|");
        report.AppendLine(CultureInfo.InvariantCulture, $"| persisted artifact | {Median(persisted):F1} | {persisted.Min():F1} | {persisted.Max():F1} |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| recompiled from text | {Median(recompiled):F1} | {recompiled.Min():F1} | {recompiled.Max():F1} |");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"**Persisted ÷ recompiled = {Median(persisted) / Median(recompiled):F3}**.");
        Console.WriteLine(report);
        if (options.GetValueOrDefault("out") is { } outFile)
        {
            File.WriteAllText(outFile, report.ToString());
        }

        return cut >= 0.9 ? 0 : 3;
    }

    /// <summary>On a freshly started Inference: kv/load of the persisted artifact vs recompiling it, pairs in alternating order.</summary>
    private static async Task LoadTimesAsync(Uri root, string model, string sha, string text, int restart, List<double> persisted, List<double> recompiled)
    {
        using var http = Client(root);
        await PostAsync(http, "acore/models/load", new JsonObject { ["model"] = model });

        // Warm the routes on a small bloc of its own, so neither variant pays this process's first-call JIT.
        for (var i = 0; i < 3; i++)
        {
            await PostAsync(http, "acore/blocs/kv/load", new JsonObject { ["model"] = model, ["text"] = "warm-up bloc", ["stable_cache_key"] = $"warm:{i}", ["force_rebuild"] = true });
        }

        for (var i = 0; i < Pairs; i++)
        {
            // Each timed load fills a key of its own (a key already holding the artifact would skip the prefill).
            var order = (restart + i) % 2 == 0;
            foreach (var fromDisk in order ? new[] { true, false } : [false, true])
            {
                var body = new JsonObject { ["model"] = model, ["sha256"] = sha, ["stable_cache_key"] = $"{(fromDisk ? "disk" : "text")}:{i}" };
                if (!fromDisk)
                {
                    body["text"] = text;
                    body["force_rebuild"] = true;
                }

                var clock = Stopwatch.StartNew();
                var reply = await PostAsync(http, "acore/blocs/kv/load", body);
                var ms = clock.Elapsed.TotalMilliseconds;
                if ((bool)reply["artifact"]!["compiled"]! == fromDisk)
                {
                    throw new InvalidOperationException($"kv/load compiled={reply["artifact"]!["compiled"]} for fromDisk={fromDisk}");
                }

                (fromDisk ? persisted : recompiled).Add(ms);
            }
        }
    }

    /// <summary>A fresh Inference process for one piece of work, stopped after it.</summary>
    private static async Task RestartAsync(string dll, Dictionary<string, string> environment, Func<ServiceProcess, Task> work)
    {
        await using var inference = await ServiceProcess.StartAsync(dll, environment);
        await work(inference);
    }

    private static HttpClient Client(Uri root) => new() { BaseAddress = root, Timeout = TimeSpan.FromMinutes(5) };

    private static string Chat(string model, string bloc, string question, JsonNode? binding)
    {
        var body = new JsonObject
        {
            ["model"] = model,
            ["stream"] = true,
            ["max_tokens"] = 4,
            ["stream_options"] = new JsonObject { ["include_usage"] = true },
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "system", ["content"] = bloc },
                new JsonObject { ["role"] = "user", ["content"] = question }),
        };
        if (binding is not null)
        {
            body["prompt_cache_binding"] = binding.DeepClone();
            body["prompt_cache_key"] = (string?)binding["key"];
        }

        return body.ToJsonString();
    }

    private static async Task<JsonNode> PostAsync(HttpClient http, string path, JsonObject body)
    {
        using var response = await http.PostAsync(new Uri(path, UriKind.Relative), new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {text}");
        }

        return JsonNode.Parse(text)!;
    }

    /// <summary>Milliseconds from sending to the first content chunk; the stream is then read to its end (usage: cached tokens).</summary>
    private static async Task<(double Ms, int Cached)> FirstTokenAsync(HttpClient http, string body)
    {
        var clock = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"chat: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        double? first = null;
        var cached = 0;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (!line.StartsWith("data: {", StringComparison.Ordinal))
            {
                continue;
            }

            if (first is null && line.Contains("\"content\":\"", StringComparison.Ordinal) && !line.Contains("\"content\":\"\"", StringComparison.Ordinal))
            {
                first = clock.Elapsed.TotalMilliseconds;
            }

            if (JsonNode.Parse(line[6..])!["usage"]?["prompt_tokens_details"]?["cached_tokens"] is { } c)
            {
                cached = (int)c;
            }
        }

        return (first ?? throw new InvalidOperationException("no content chunk"), cached);
    }
}

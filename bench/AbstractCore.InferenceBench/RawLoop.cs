using System.Diagnostics;
using AbstractCore.Inference.Generation;
using AbstractCore.Inference;
using AbstractCore.Inference.Models;
using Microsoft.Extensions.Configuration;

namespace AbstractCore.InferenceBench;

/// <summary>The engine alone: the service's own token loop (Generator, TokenizerStream, stop checks) in this process, no HTTP.</summary>
internal static class RawLoop
{
    private static LoadedModel? _model;

    public static double TokensPerSecond(string modelDir, int streams, int requests, int tokens, int? intraOpThreads, Action started)
    {
        // Loaded once and kept, like the service keeps its model: a fresh load runs its first requests slower. The service's
        // runtime settings come from the same environment Inference inherits (ABSTRACTCORE_ONNX_ALLOW_SPINNING).
        var settings = InferenceSettings.From(new ConfigurationBuilder().AddEnvironmentVariables().Build());
        var model = _model ??= LoadedModel.Load(
            ModelFolder.TryRead(modelDir) ?? throw new InvalidOperationException($"No model in {modelDir}"), [], intraOpThreads, settings.AllowSpinning);
        var prompt = model.Encode(model.Tokenizer.ApplyChatTemplate(null, """[{"role":"user","content":"go"},{"role":"assistant","content":"a"}]""", null, true));
        var plan = new GenerationPlan(prompt, tokens, [], SamplingOptions.Default, null);

        // Warm-up (JIT, allocator).
        TokenLoop.Run(model, null, plan, null, CancellationToken.None);

        var total = 0L;
        started();
        var clock = Stopwatch.StartNew();
        Parallel.For(0, streams, new ParallelOptions { MaxDegreeOfParallelism = streams }, _ =>
        {
            for (var r = 0; r < requests; r++)
            {
                var result = TokenLoop.Run(model, null, plan, piece => { }, CancellationToken.None);
                Interlocked.Add(ref total, result.CompletionTokens);
            }
        });
        return total / clock.Elapsed.TotalSeconds;
    }
}

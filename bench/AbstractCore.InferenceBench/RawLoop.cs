using AbstractCore.Inference;
using AbstractCore.Inference.Generation;
using AbstractCore.Inference.Models;
using Microsoft.Extensions.Configuration;

namespace AbstractCore.InferenceBench;

/// <summary>The engine alone: the service's own token loop (Generator, TokenizerStream, stop checks) in this process, no HTTP.</summary>
internal sealed class RawLoop : ITokenPath, IDisposable
{
    private readonly LoadedModel _loaded;
    private readonly GenerationPlan _plan;

    /// <summary>Loads its own copy of the model. The service's runtime settings come from the same environment Inference
    /// inherits (ABSTRACTCORE_ONNX_ALLOW_SPINNING).</summary>
    public RawLoop(string modelDir, int tokens, int? intraOpThreads)
    {
        var settings = InferenceSettings.From(new ConfigurationBuilder().AddEnvironmentVariables().Build());
        _loaded = LoadedModel.Load(
            ModelFolder.TryRead(modelDir) ?? throw new InvalidOperationException($"No model in {modelDir}"), [], intraOpThreads, settings.AllowSpinning);
        var prompt = _loaded.Encode(_loaded.Tokenizer.ApplyChatTemplate(null, """[{"role":"user","content":"go"},{"role":"assistant","content":"a"}]""", null, true));
        _plan = new GenerationPlan(prompt, tokens, [], SamplingOptions.Default, null);
    }
    public Task WarmAsync()
    {
        TokenLoop.Run(_loaded, null, _plan, null, CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Each stream on a thread of its own, as Inference runs them (<see cref="TokenLoop.Start"/>): the pool's few threads on a
    /// small machine would run four streams two at a time, which is not the load the other paths carry.
    /// </summary>
    public async Task<long> RunAsync(int streams) =>
        (await Task.WhenAll(Enumerable.Range(0, streams).Select(_ => TokenLoop.Start(() => TokenLoop.Run(_loaded, null, _plan, piece => { }, CancellationToken.None)))))
        .Sum(result => (long)result.CompletionTokens);

    public void Dispose() => _loaded.Dispose();
}

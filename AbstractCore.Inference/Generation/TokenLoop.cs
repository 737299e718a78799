using System.Text;
using AbstractCore.Inference.Models;
using AbstractCore.Inference.PromptCache;
using Microsoft.ML.OnnxRuntimeGenAI;

namespace AbstractCore.Inference.Generation;

/// <summary>
/// The generation loop: one Generator per request (or the live one of a prompt-cache key), one token per step,
/// decoded through a TokenizerStream. Cancellation is checked between tokens (never through terminate_session,
/// which can abort the process); EOS ends with "stop", max_tokens or the context with "length".
/// Runs synchronously: call it off the request thread (<see cref="Start"/>).
/// </summary>
internal static class TokenLoop
{
    /// <summary>
    /// Runs the loop on a thread of its own: a generation holds its thread for its whole length, and on the thread pool a
    /// few of them would take the threads Kestrel needs to write their tokens (the pool injects more only after a delay).
    /// </summary>
    public static Task<GenerationResult> Start(Func<GenerationResult> loop) =>
        Task.Factory.StartNew(loop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    public static GenerationResult Run(LoadedModel model, PromptCacheStore? cache, GenerationPlan plan, Action<string>? emit, CancellationToken cancellationToken)
    {
        var needed = Math.Min(plan.Prompt.Length + plan.MaxTokens, model.Folder.ContextLength);
        var entry = plan.CacheKey is { } key && cache is not null ? cache.Checkout(key) : null;
        Generator? fresh = null;
        var ok = false;
        try
        {
            Generator generator;
            var reused = 0;
            if (entry is not null)
            {
                (generator, reused) = GeneratorReuse.Prepare(model, cache!, entry, plan.Prompt, plan.Sampling, needed);
            }
            else
            {
                generator = fresh = Create(model, plan.Sampling, needed);
                generator.AppendTokens(plan.Prompt);
            }

            var (text, generated, finish, lastFed) = Loop(model, generator, plan, emit, cancellationToken);
            if (entry is not null)
            {
                entry.Remember(generator.GetSequence(0).ToArray(), lastFed);
            }

            ok = true;
            return new GenerationResult(text, plan.Prompt.Length, generated, reused, finish);
        }
        finally
        {
            fresh?.Dispose();
            if (entry is not null)
            {
                cache!.Return(entry, ok);
            }
        }
    }

    public static Generator Create(LoadedModel model, SamplingOptions sampling, int maxLength)
    {
        using var parameters = new GeneratorParams(model.Model);
        parameters.SetSearchOption("max_length", maxLength);
        sampling.Apply(parameters);
        return new Generator(model.Model, parameters);
    }

    private static (string Text, int Generated, string Finish, bool LastFed) Loop(
        LoadedModel model, Generator generator, GenerationPlan plan, Action<string>? emit, CancellationToken cancellationToken)
    {
        using var stream = model.Tokenizer.CreateStream();
        var stops = new StopMatcher(plan.Stop);
        var text = new StringBuilder();
        var eos = model.EosTokenIds;
        var generated = 0;
        var finish = GenerationResult.Length;
        var lastFed = true;
        while (true)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                finish = GenerationResult.Cancelled;
                break;
            }

            if (generated >= plan.MaxTokens || generator.IsDone())
            {
                break;
            }

            generator.GenerateNextToken();
            generated++;
            var token = generator.GetNextTokens()[0];
            if (eos.Contains(token))
            {
                finish = GenerationResult.Stop;
                lastFed = true; // the previous token was fed to produce the EOS, which is not in the sequence
                break;
            }

            lastFed = false;
            var safe = stops.Push(stream.Decode(token));
            if (safe.Length > 0)
            {
                text.Append(safe);
                emit?.Invoke(safe);
            }

            if (stops.Stopped)
            {
                finish = GenerationResult.Stop;
                break;
            }
        }

        if (!stops.Stopped && stops.Flush() is { Length: > 0 } rest)
        {
            text.Append(rest);
            emit?.Invoke(rest);
        }

        return (text.ToString(), generated, finish, lastFed);
    }
}

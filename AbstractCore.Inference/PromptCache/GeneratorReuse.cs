using AbstractCore.Inference.Generation;
using AbstractCore.Inference.Models;
using Microsoft.ML.OnnxRuntimeGenAI;

namespace AbstractCore.Inference.PromptCache;

/// <summary>
/// Reuses a prompt-cache key's live Generator: rewind to the longest prefix its KV state shares with the new
/// prompt, then append only the rest. A key without a usable Generator (none yet, other sampling options, too short
/// a buffer) gets a new one sized for growth.
/// </summary>
internal static class GeneratorReuse
{
    public static (Generator Generator, int Reused) Prepare(
        LoadedModel model, PromptCacheStore cache, PromptCacheEntry entry, int[] prompt, SamplingOptions sampling, int needed, bool countUse = true)
    {
        if (entry.Generator is { } live && entry.Sampling == sampling && sampling.Reusable && entry.MaxLength >= needed)
        {
            // At least one prompt token is appended, so the next logits come from this prompt.
            var shared = Math.Min(CommonPrefix(entry.ComputedTokens, prompt), prompt.Length - 1);
            live.RewindTo((ulong)shared);
            live.AppendTokens(prompt.AsSpan(shared));
            if (countUse)
            {
                cache.RecordUse(shared);
            }

            return (live, shared);
        }

        // A new Generator recomputes the whole prompt: a bloc binding survives when the prompt still starts with the bloc.
        var binding = entry.Binding;
        entry.Drop();
        var capacity = Capacity(model, prompt.Length, needed);
        var generator = TokenLoop.Create(model, sampling, capacity);
        entry.Attach(generator, sampling, capacity);
        generator.AppendTokens(prompt);
        if (binding is not null && prompt.AsSpan().StartsWith(binding.Tokens))
        {
            entry.Binding = binding;
        }

        if (countUse)
        {
            cache.RecordUse(0);
        }

        return (generator, 0);
    }

    /// <summary>
    /// Prefills a key with tokens (the update and fork operations); nothing is generated. The buffer leaves room for
    /// <paramref name="headroom"/> more tokens (the default completion length), so the next chat fits without a new Generator.
    /// </summary>
    public static int Prefill(LoadedModel model, PromptCacheStore cache, PromptCacheEntry entry, int[] tokens, int headroom)
    {
        if (tokens.Length == 0)
        {
            entry.Drop();
            return 0;
        }

        var (_, reused) = Prepare(model, cache, entry, tokens, SamplingOptions.Default, Math.Min(tokens.Length + headroom, model.Folder.ContextLength), countUse: false);
        entry.Remember(tokens, lastFed: true);
        return reused;
    }

    /// <summary>A key's KV buffer: room for the request and for the conversation to grow, within the context length.</summary>
    public static int Capacity(LoadedModel model, int promptLength, int needed) =>
        Math.Min(model.Folder.ContextLength, Math.Max(needed, 2 * promptLength) + 256);

    private static int CommonPrefix(ReadOnlySpan<int> cached, ReadOnlySpan<int> prompt)
    {
        var n = Math.Min(cached.Length, prompt.Length);
        var i = 0;
        while (i < n && cached[i] == prompt[i])
        {
            i++;
        }

        return i;
    }
}

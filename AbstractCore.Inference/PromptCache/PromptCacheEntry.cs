using AbstractCore.Inference.Blocs;
using AbstractCore.Inference.Generation;
using Microsoft.ML.OnnxRuntimeGenAI;

namespace AbstractCore.Inference.PromptCache;

/// <summary>
/// One prompt-cache key: a live Generator, the tokens in its sequence and how many of them have KV state
/// (the last sampled token is not fed until the next step). Used by one request at a time (<see cref="Busy"/>);
/// every field is guarded by the owning store's lock or by that exclusive use.
/// </summary>
internal sealed class PromptCacheEntry(string key, TimeSpan ttl, DateTimeOffset now)
{
    public string Key { get; } = key;

    public Generator? Generator { get; private set; }

    public SamplingOptions Sampling { get; private set; } = SamplingOptions.Default;

    /// <summary>The Generator's max_length: its KV buffer holds this many tokens.</summary>
    public int MaxLength { get; private set; }

    public int[] Sequence { get; private set; } = [];

    public int ComputedCount { get; private set; }

    public ReadOnlySpan<int> ComputedTokens => Sequence.AsSpan(0, ComputedCount);

    public TimeSpan Ttl { get; set; } = ttl;

    public DateTimeOffset LastUsed { get; set; } = now;

    public bool Busy { get; set; }

    /// <summary>Cleared while busy: the store drops it when the request returns it.</summary>
    public bool Removed { get; set; }

    /// <summary>The bloc KV artifact loaded into this key (kv/load), while its KV state still starts with the artifact's tokens.</summary>
    public KvBinding? Binding { get; set; }

    /// <summary>
    /// Whether the live KV state holds the binding's artifact: a Generator exists and its computed tokens begin with the
    /// artifact's (a chat whose prompt left the bloc early rewound past it).
    /// </summary>
    public bool Holds(KvBinding binding) =>
        Generator is not null && ComputedCount >= binding.Tokens.Length && ComputedTokens[..binding.Tokens.Length].SequenceEqual(binding.Tokens);

    public long Bytes(long kvBytesPerToken) => Generator is null ? 0 : MaxLength * kvBytesPerToken;

    public void Attach(Generator generator, SamplingOptions sampling, int maxLength)
    {
        Drop();
        Generator = generator;
        Sampling = sampling;
        MaxLength = maxLength;
    }

    public void Remember(int[] sequence, bool lastFed)
    {
        Sequence = sequence;
        ComputedCount = lastFed ? sequence.Length : Math.Max(0, sequence.Length - 1);
    }

    /// <summary>Frees the native KV state; the key itself may stay.</summary>
    public void Drop()
    {
        Generator?.Dispose();
        Generator = null;
        Binding = null;
        Sequence = [];
        ComputedCount = 0;
        MaxLength = 0;
    }
}

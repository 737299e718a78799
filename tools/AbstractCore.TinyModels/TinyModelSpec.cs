namespace AbstractCore.TinyModels;

/// <summary>The size of a generated model. The text it produces does not depend on the size, only its speed does.</summary>
public sealed record TinyModelSpec(int Layers = 2, int Hidden = 32, int Heads = 2, int KvHeads = 2, int ContextLength = 2048, string ModelType = "llama")
{
    public static TinyModelSpec Tiny { get; } = new();

    /// <summary>A larger (still small) model whose per-token compute dominates the per-token overhead: for benchmarks.</summary>
    public static TinyModelSpec Bench { get; } = new(Layers: 4, Hidden: 512, Heads: 8, KvHeads: 8, ContextLength: 1024);

    public int HeadSize => Hidden / Heads;
}

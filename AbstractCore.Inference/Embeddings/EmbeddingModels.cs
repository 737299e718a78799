using System.Collections.Concurrent;
using AbstractCore.Inference.Models;

namespace AbstractCore.Inference.Embeddings;

/// <summary>
/// The sentence-embedding models on disk (scanned on each call, like chat models) and those in memory: each loads on
/// its first request, once (concurrent first requests wait for the same load), and stays loaded.
/// </summary>
internal sealed class EmbeddingModels(InferenceSettings settings) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<EmbeddingModel>>> _loaded = new(StringComparer.Ordinal);

    public IReadOnlyList<EmbeddingFolder> List()
    {
        if (settings.ModelsDir is not { } dir || !Directory.Exists(dir))
        {
            return [];
        }

        return Directory.EnumerateDirectories(dir)
            .Where(path => !Path.GetFileName(path).StartsWith('.'))
            .Select(EmbeddingFolder.TryRead)
            .OfType<EmbeddingFolder>()
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// The model a request names: <c>name</c> or <c>onnx/name</c>. A Hub id (<c>sentence-transformers/all-MiniLM-L6-v2</c>,
    /// as <c>huggingface/…</c> names it through the gateway) selects the folder named after its last part.
    /// </summary>
    public EmbeddingFolder? Find(string? requested)
    {
        var name = ModelCatalog.Normalize(requested);
        if (name is not null && name.Contains('/', StringComparison.Ordinal))
        {
            name = name[(name.LastIndexOf('/') + 1)..];
        }

        if (string.IsNullOrEmpty(name) || settings.ModelsDir is not { } dir || name.StartsWith('.') || name.Contains('\\', StringComparison.Ordinal))
        {
            return null;
        }

        return EmbeddingFolder.TryRead(Path.Combine(dir, name));
    }

    /// <summary>The loaded model; a load that failed is forgotten, so the next request tries again (after a fix on disk).</summary>
    public async Task<EmbeddingModel> LoadAsync(EmbeddingFolder folder)
    {
        var load = _loaded.GetOrAdd(folder.Name, _ => new Lazy<Task<EmbeddingModel>>(
            () => Task.Run(() => EmbeddingModel.Load(folder, settings.IntraOpThreads))));
        try
        {
            return await load.Value;
        }
        catch
        {
            _loaded.TryRemove(new KeyValuePair<string, Lazy<Task<EmbeddingModel>>>(folder.Name, load));
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var load in _loaded.Values.Where(l => l.IsValueCreated && l.Value.IsCompletedSuccessfully))
        {
            load.Value.Result.Dispose();
        }

        _loaded.Clear();
    }
}

using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using AbstractCore.Inference.Blocs;
using AbstractCore.Inference.Hosting;
using AbstractCore.Inference.Models;
using AbstractCore.Inference.PromptCache;

namespace AbstractCore.Inference.Residency;

/// <summary>
/// Which models are in memory. A model loads explicitly (<c>/acore/models/load</c>) or lazily on first use, once:
/// concurrent first uses wait for the same load. Unloading frees its native memory once running requests finish.
/// </summary>
internal sealed class ModelResidency(InferenceSettings settings, TimeProvider time) : IDisposable
{
    private readonly SemaphoreSlim _loadLock = new(1, 1);
    private readonly Dictionary<string, ResidentModel> _resident = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>A stable id for (provider, model), as the gateway computes it: sha256("onnx|model||")[:16].</summary>
    public static string RuntimeId(string model) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{ModelCatalog.Provider}|{model}||")))[..16];

    public IReadOnlyList<ResidentModel> Loaded
    {
        get
        {
            lock (_lock)
            {
                return _resident.Values.OrderBy(r => r.RuntimeId, StringComparer.Ordinal).ToList();
            }
        }
    }

    public ResidentModel? Find(string name)
    {
        lock (_lock)
        {
            return _resident.GetValueOrDefault(name);
        }
    }

    /// <summary>A lease on the model, loading it first if needed.</summary>
    public async Task<ModelLease> AcquireAsync(ModelFolder folder, CancellationToken cancellationToken)
    {
        while (true)
        {
            var (resident, _) = await LoadAsync(folder, LoadOptions.Lazy, cancellationToken);
            if (resident.TryAcquire())
            {
                return new ModelLease(resident);
            }
        }
    }

    /// <summary>
    /// Loads the model unless it is resident; <c>LoadedNew</c> tells whether this call loaded it. An explicit load
    /// of a resident model applies its pin, lock and TTL to it.
    /// </summary>
    [SuppressMessage("Reliability", "CA2000", Justification = "The resident model disposes its prompt cache when it is unloaded.")]
    public async Task<(ResidentModel Resident, bool LoadedNew)> LoadAsync(ModelFolder folder, LoadOptions options, CancellationToken cancellationToken)
    {
        if (Find(folder.Name) is { IsLoaded: true } existing)
        {
            return (options.ApplyTo(existing), false);
        }

        await _loadLock.WaitAsync(cancellationToken);
        try
        {
            if (Find(folder.Name) is { IsLoaded: true } raced)
            {
                return (options.ApplyTo(raced), false);
            }

            // The fingerprint is taken with the load: bloc KV artifacts must match the files these weights came from.
            var fingerprint = await Task.Run(() => ModelFingerprint.Of(folder.Path), CancellationToken.None);
            var model = await Task.Run(() => LoadedModel.Load(folder, settings.Providers, settings.IntraOpThreads, settings.AllowSpinning), CancellationToken.None);
            var cache = new PromptCacheStore(folder.KvBytesPerToken, settings.PromptCacheBudgetBytes, settings.PromptCacheTtl, time);
            var resident = options.ApplyTo(new ResidentModel(RuntimeId(folder.Name), model, cache, options.Pin, time) { Fingerprint = fingerprint });
            lock (_lock)
            {
                _resident[folder.Name] = resident;
            }

            return (resident, true);
        }
        finally
        {
            _loadLock.Release();
        }
    }

    /// <summary>
    /// Takes the model out of memory (once its running requests end); null when it was not loaded. A locked model
    /// stays unless <paramref name="force"/> (409).
    /// </summary>
    public ResidentModel? Unload(string name, bool force = false)
    {
        ResidentModel? resident;
        lock (_lock)
        {
            if (_resident.TryGetValue(name, out resident))
            {
                if (resident.Locked && !force)
                {
                    throw InferenceException.ModelLocked(resident.Name, resident.RuntimeId);
                }

                _resident.Remove(name);
                resident.Unload();
            }
        }

        return resident;
    }

    /// <summary>Unloads the models whose <c>ttl_s</c> of idleness has passed; returns how many.</summary>
    public int UnloadIdle()
    {
        lock (_lock)
        {
            var expired = _resident.Values.Where(r => r.IsIdleExpired()).ToList();
            foreach (var resident in expired)
            {
                _resident.Remove(resident.Name);
                resident.Unload();
            }

            return expired.Count;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var resident in _resident.Values)
            {
                resident.Unload();
            }

            _resident.Clear();
        }

        _loadLock.Dispose();
    }
}

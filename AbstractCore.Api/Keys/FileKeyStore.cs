using System.Text.Json;

namespace AbstractCore.Api.Keys;

/// <summary>
/// Keys in <c>keys.json</c> beside the config file (standalone, one replica): read once, rewritten whole on each change
/// under one lock, readable by its owner only. Only hashes are in it.
/// </summary>
internal sealed class FileKeyStore(string path) : IKeyStore
{
    private readonly Lock _lock = new();
    private List<VirtualKey>? _keys;

    public event Action? Changed { add { } remove { } }

    public string Path => path;

    public Task<IReadOnlyList<VirtualKey>> ListAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<VirtualKey>>([.. Keys()]);
        }
    }

    public Task<VirtualKey?> GetAsync(string id, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(Keys().Find(k => k.Id == id));
        }
    }

    public Task<VirtualKey?> FindByHashAsync(string hash, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(Keys().Find(k => k.Hash == hash));
        }
    }

    public Task SaveAsync(VirtualKey key, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var keys = Keys();
            var i = keys.FindIndex(k => k.Id == key.Id);
            if (i >= 0)
            {
                keys[i] = key;
            }
            else
            {
                keys.Add(key);
            }

            Write(keys);
        }

        return Task.CompletedTask;
    }

    public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var removed = Keys().RemoveAll(k => k.Id == id) > 0;
            if (removed)
            {
                Write(Keys());
            }

            return Task.FromResult(removed);
        }
    }

    private List<VirtualKey> Keys()
    {
        if (_keys is null)
        {
            try
            {
                _keys = File.Exists(path)
                    ? JsonSerializer.Deserialize(File.ReadAllBytes(path), KeysJsonContext.Default.ListVirtualKey) ?? []
                    : [];
            }
            catch (JsonException e)
            {
                throw new InvalidOperationException($"The virtual keys file {path} is not valid JSON ({e.Message}). Fix or remove it.", e);
            }
        }

        return _keys;
    }

    private void Write(List<VirtualKey> keys)
    {
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            var temp = path + ".tmp";
            File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(keys, KeysJsonContext.Default.ListVirtualKey));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _keys = null; // reload what is really on disk next time
            throw new GatewayException(500,
                $"Could not write the virtual keys to {path}: {e.Message}. Make the directory writable, point " +
                "ABSTRACTCORE_CONFIG_DIR elsewhere, or configure the cache connection string to keep them in Redis.",
                "server_error", code: "config_not_writable");
        }
    }
}

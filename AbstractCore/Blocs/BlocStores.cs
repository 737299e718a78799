using StackExchange.Redis;

namespace AbstractCore.Blocs;

/// <summary>The bloc stores the gateway can use.</summary>
public static class BlocStores
{
    /// <summary>Names the folder of the file store (default: <c>~/.abstractcore/blocs</c>).</summary>
    public const string FolderVariable = "ABSTRACTCORE_BLOCS_DIR";

    /// <summary>Shared by every replica.</summary>
    public static IBlocStore Redis(IConnectionMultiplexer redis) => new RedisBlocStore(redis);

    /// <summary>Files under <paramref name="folder"/>, which survive restarts.</summary>
    public static IBlocStore Files(string folder) => new FileBlocStore(folder);

    /// <summary>Files in a new temporary folder, removed when the store is disposed: for a server that may not use the
    /// AbstractCore home (<c>ABSTRACTCORE_SERVER_DISABLE_CENTRALIZED_CONFIG</c>) and was given no folder.</summary>
    public static IBlocStore Temporary() => new FileBlocStore(Directory.CreateTempSubdirectory("acore-blocs-").FullName, temporary: true);

    /// <summary><c>ABSTRACTCORE_BLOCS_DIR</c> (a leading <c>~</c> is the home directory), else <c>~/.abstractcore/blocs</c>.</summary>
    public static string DefaultFolder(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var configured = environment(FolderVariable)?.Trim();
        return string.IsNullOrEmpty(configured)
            ? Path.Combine(Configuration.ConfigFile.ExpandHome("~", environment), ".abstractcore", "blocs")
            : Path.GetFullPath(Configuration.ConfigFile.ExpandHome(configured, environment));
    }
}

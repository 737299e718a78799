namespace AbstractCore.AppHost.Infrastructure;

/// <summary>
/// One AppHost run's private folder for server data, under the temp folder. The id also names the RabbitMQ node, so
/// two AppHosts (two tests in one process, say) never share a node or a data folder.
/// </summary>
internal sealed record LocalInstance(string Id, string Directory)
{
    private static readonly TimeSpan StaleAfter = TimeSpan.FromDays(1);

    public static LocalInstance Create()
    {
        var root = Path.Combine(Path.GetTempPath(), "abstractcore-apphost");
        PruneStale(root);
        var id = Guid.NewGuid().ToString("N")[..12];
        var directory = Path.Combine(root, id);
        System.IO.Directory.CreateDirectory(directory);
        return new(id, directory);
    }

    public string Folder(string relative)
    {
        var path = Path.Combine(Directory, relative);
        System.IO.Directory.CreateDirectory(path);
        return path;
    }

    // Servers are stopped with the AppHost but their data stays; old runs are removed here instead.
    private static void PruneStale(string root)
    {
        if (!System.IO.Directory.Exists(root))
        {
            return;
        }

        foreach (var old in new DirectoryInfo(root).EnumerateDirectories().Where(d => d.LastWriteTimeUtc < DateTime.UtcNow - StaleAfter))
        {
            try
            {
                old.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}

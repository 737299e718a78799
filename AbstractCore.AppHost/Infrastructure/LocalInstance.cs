namespace AbstractCore.AppHost.Infrastructure;

/// <summary>
/// One AppHost run's private folder for server data, under the temp folder. The id also names the RabbitMQ node, so
/// two AppHosts (two tests in one process, say) never share a node or a data folder.
/// </summary>
internal sealed record LocalInstance(string Id, string Directory)
{
    private static readonly TimeSpan StaleAfter = TimeSpan.FromDays(1);

    public static string Root { get; } = Path.Combine(Path.GetTempPath(), "abstractcore-apphost");

    public static LocalInstance Create()
    {
        PruneStale(Root);
        var id = Guid.NewGuid().ToString("N")[..12];
        var directory = Path.Combine(Root, id);
        System.IO.Directory.CreateDirectory(directory);
        return new(id, directory);
    }

    public string Folder(string relative)
    {
        var path = Path.Combine(Directory, relative);
        System.IO.Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>
    /// Removes this run's folder; called once the servers have stopped. A few attempts, because a server that is
    /// still flushing can create a file between the listing and the delete. Returns the error when it stays.
    /// </summary>
    public string? Delete()
    {
        Exception? last = null;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            if (!System.IO.Directory.Exists(Directory))
            {
                return null;
            }

            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
                return null;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                last = ex;
                Thread.Sleep(200);
            }
        }

        return last?.Message;
    }

    // A run that was killed (no graceful stop) leaves its folder; old ones are removed here.
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

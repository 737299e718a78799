using System.Globalization;
using System.Text;

namespace AbstractCore.Blocs;

/// <summary>
/// Blocs as files under one folder: <c>records/&lt;sha256&gt;.json</c>, <c>content/&lt;content_sha256&gt;.txt</c> and
/// the next bloc_id in <c>next_bloc_id</c>. Every file is written to a temporary file beside it and renamed over it,
/// so a crash leaves the old or the new file, never half of one; writes are serialised in this process (one gateway
/// owns a file store; replicas share Redis instead). The folder is read again on each call: a restart loses nothing.
/// </summary>
internal sealed class FileBlocStore(string root, bool temporary = false) : IBlocStore, IDisposable
{
    private readonly SemaphoreSlim _writes = new(1, 1);

    public string Root { get; } = root;

    private string Records => Path.Combine(Root, "records");

    private string Contents => Path.Combine(Root, "content");

    private string RecordFile(string sha256) => Path.Combine(Records, sha256 + ".json");

    private string ContentFile(string contentSha256) => Path.Combine(Contents, contentSha256 + ".txt");

    public async Task<BlocRecord> UpsertAsync(BlocRecord record, string text, CancellationToken cancellationToken)
    {
        await _writes.WaitAsync(cancellationToken);
        try
        {
            var previous = await ReadRecordAsync(RecordFile(record.Sha256), cancellationToken);
            var stored = record with { BlocId = previous?.BlocId ?? await NextIdAsync(cancellationToken) };
            var content = ContentFile(stored.ContentSha256);
            if (!File.Exists(content))
            {
                await WriteAtomicAsync(content, text, cancellationToken);
            }

            await WriteAtomicAsync(RecordFile(stored.Sha256), stored.ToJson().ToJsonString(), cancellationToken);
            if (previous is not null && previous.ContentSha256 != stored.ContentSha256)
            {
                await DropUnusedContentAsync(previous.ContentSha256, cancellationToken);
            }

            return stored;
        }
        finally
        {
            _writes.Release();
        }
    }

    public async Task<IReadOnlyList<BlocRecord>> ListAsync(BlocSelector selector, CancellationToken cancellationToken)
    {
        if (selector.Sha256 is { } sha)
        {
            return await ReadRecordAsync(RecordFile(sha), cancellationToken) is { } one ? [one] : [];
        }

        var all = await ReadAllAsync(cancellationToken);
        return [.. all.Where(selector.Matches).OrderBy(r => r.BlocId)];
    }

    public async Task<BlocRecord?> GetAsync(BlocSelector selector, CancellationToken cancellationToken) =>
        selector.IsEmpty ? null : await ListAsync(selector, cancellationToken) is [var first, ..] ? first : null;

    public async Task<string?> GetTextAsync(BlocRecord record, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllTextAsync(ContentFile(record.ContentSha256), Encoding.UTF8, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public async Task<bool> DeleteAsync(string sha256, CancellationToken cancellationToken)
    {
        await _writes.WaitAsync(cancellationToken);
        try
        {
            var file = RecordFile(sha256);
            if (await ReadRecordAsync(file, cancellationToken) is not { } record)
            {
                return false;
            }

            File.Delete(file);
            await DropUnusedContentAsync(record.ContentSha256, cancellationToken);
            return true;
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <summary>A temporary store (see <see cref="BlocStores.Temporary"/>) takes its folder with it.</summary>
    public void Dispose()
    {
        _writes.Dispose();
        if (temporary && Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    /// <summary>The text of <paramref name="contentSha256"/> goes when the last record using it has gone.</summary>
    private async Task DropUnusedContentAsync(string contentSha256, CancellationToken cancellationToken)
    {
        if ((await ReadAllAsync(cancellationToken)).All(r => r.ContentSha256 != contentSha256))
        {
            File.Delete(ContentFile(contentSha256));
        }
    }

    private async Task<long> NextIdAsync(CancellationToken cancellationToken)
    {
        var counter = Path.Combine(Root, "next_bloc_id");
        long next = 1;
        if (File.Exists(counter))
        {
            next = long.Parse(await File.ReadAllTextAsync(counter, cancellationToken), NumberStyles.None, CultureInfo.InvariantCulture);
        }
        else if ((await ReadAllAsync(cancellationToken)) is { Count: > 0 } existing)
        {
            next = existing.Max(r => r.BlocId) + 1; // a counter lost with records left: never reuse their ids
        }

        await WriteAtomicAsync(counter, (next + 1).ToString(CultureInfo.InvariantCulture), cancellationToken);
        return next;
    }

    private async Task<List<BlocRecord>> ReadAllAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(Records))
        {
            return [];
        }

        var records = new List<BlocRecord>();
        foreach (var file in Directory.EnumerateFiles(Records, "*.json"))
        {
            if (await ReadRecordAsync(file, cancellationToken) is { } record)
            {
                records.Add(record);
            }
        }

        return records;
    }

    private static async Task<BlocRecord?> ReadRecordAsync(string file, CancellationToken cancellationToken)
    {
        try
        {
            return BlocRecord.FromJson(await File.ReadAllTextAsync(file, cancellationToken));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>A temporary file in the same folder, flushed to disk, then renamed over the target (atomic on one file system).</summary>
    private static async Task WriteAtomicAsync(string target, string text, CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                await stream.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, target, overwrite: true);
        }
        finally
        {
            File.Delete(temp); // nothing left when the rename happened; the partial file when it did not
        }
    }
}

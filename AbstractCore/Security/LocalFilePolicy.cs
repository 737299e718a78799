using Microsoft.Extensions.Configuration;

namespace AbstractCore.Security;

/// <summary>
/// Local file paths in requests (spec §2.6): refused unless a media root is set (safe) or local files are
/// allowed outright (unsafe). With a root, every path, relative ones joined to it, is resolved with its
/// symlinks followed and must stay inside the root, even when local files are also allowed.
/// </summary>
public sealed class LocalFilePolicy
{
    public const string MediaRootSetting = "ABSTRACTCORE_SERVER_MEDIA_ROOT";
    public const string AllowLocalFilesSetting = "ABSTRACTCORE_SERVER_ALLOW_LOCAL_FILES";

    public const string DisabledMessage =
        "Local file paths are disabled for HTTP requests. Use http(s) URLs or data: base64 attachments, or configure " +
        "ABSTRACTCORE_SERVER_MEDIA_ROOT (safe) / ABSTRACTCORE_SERVER_ALLOW_LOCAL_FILES=1 (unsafe).";

    // Past this many links in one path it is a loop; the kernel gives up at 40 as well.
    private const int MaxLinks = 40;

    public LocalFilePolicy(string? mediaRoot, bool allowLocalFiles)
    {
        AllowLocalFiles = allowLocalFiles;
        if (!string.IsNullOrWhiteSpace(mediaRoot))
        {
            Root = RealPath(Path.GetFullPath(ExpandHome(mediaRoot.Trim())));
        }
    }

    /// <summary>The media root with its symlinks resolved, or null when none is set.</summary>
    public string? Root { get; }

    public bool AllowLocalFiles { get; }

    /// <summary>True when local paths (and <c>@file</c> references) may be used at all.</summary>
    public bool Enabled => Root is not null || AllowLocalFiles;

    public static LocalFilePolicy FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return new LocalFilePolicy(configuration[MediaRootSetting], Flags.IsOn(configuration[AllowLocalFilesSetting]));
    }

    /// <summary>The full, symlink-free path of an existing file this policy lets a request read.</summary>
    public string Resolve(string path)
    {
        if (!Enabled)
        {
            throw new GatewayException(403, DisabledMessage, "forbidden");
        }

        if (string.IsNullOrWhiteSpace(path))
        {
            throw GatewayException.BadRequest("Empty local file path");
        }

        var expanded = ExpandHome(path.Trim());
        var full = Path.IsPathRooted(expanded) ? expanded : Path.Join(Root ?? Directory.GetCurrentDirectory(), expanded);
        var resolved = RealPath(full);
        if (Root is not null && !IsInside(resolved, Root))
        {
            throw new GatewayException(403,
                $"Local file path is outside {MediaRootSetting}. root={Root} path={resolved}", "forbidden");
        }

        if (!File.Exists(resolved))
        {
            throw new GatewayException(400, $"File not found: {path}", "file_not_found");
        }

        return resolved;
    }

    /// <summary>
    /// The bytes of a file this policy lets a request read (<see cref="Resolve"/>), at most <paramref name="maxBytes"/>.
    /// Only a regular file is read: a FIFO would block the request until some writer came, and a device or a /proc file
    /// reports size 0 whatever it holds (/dev/zero never ends), so the type is checked before opening and the bytes are
    /// counted while reading, whatever size the file reported.
    /// </summary>
    /// <param name="tooLarge">The failure once more than <paramref name="maxBytes"/> bytes were read.</param>
    /// <returns>The resolved path (symlinks followed) and the file's bytes.</returns>
    public async Task<(string Path, byte[] Content)> ReadAsync(string path, long maxBytes, Func<Exception> tooLarge, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tooLarge);
        var full = Resolve(path);
        var type = FileTypes.Of(full);
        if (type is not (FileType.Regular or FileType.Unknown))
        {
            throw new GatewayException(400,
                type is null ? $"File not found: {path}" : $"Local file {path} is {FileTypes.Describe(type.Value)}: only regular files can be attached.",
                "invalid_request_error", "file", type is null ? "file_not_found" : "not_a_regular_file");
        }

        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.ReadWrite | FileShare.Delete,
                Options = FileOptions.Asynchronous | FileOptions.SequentialScan, BufferSize = 0,
            };
            await using var stream = new FileStream(full, options);
            return (full, await CappedRead.ReadAsync(stream, maxBytes, stream.Length, tooLarge, cancellationToken));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GatewayException(400, $"Could not read local file {path}: {e.Message}", "invalid_request_error", "file", "file_unreadable");
        }
    }

    private static bool IsInside(string path, string root) =>
        path == root || path.StartsWith(root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static string ExpandHome(string path)
    {
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
        {
            return Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) + path[1..];
        }

        return path;
    }

    /// <summary>
    /// realpath(3) without requiring existence: walks the path one component at a time, replacing each
    /// symlink by its target (which is walked in turn), so <c>..</c> after a link climbs from where the link
    /// points, as the kernel would, not from where the link sits.
    /// </summary>
    private static string RealPath(string absolute)
    {
        var root = Path.GetPathRoot(absolute) ?? "/";
        var pending = new List<string>(Components(absolute[root.Length..]));
        var current = root;
        var links = 0;
        for (var i = 0; i < pending.Count; i++)
        {
            var part = pending[i];
            if (part.Length == 0 || part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? root;
                continue;
            }

            var next = Path.Join(current, part);
            var target = LinkTarget(next);
            if (target is null)
            {
                current = next;
                continue;
            }

            if (++links > MaxLinks)
            {
                throw new GatewayException(400, $"Too many levels of symbolic links: {absolute}", "file_not_found");
            }

            // Walk the link's target, then whatever followed the link.
            var remaining = pending.Skip(i + 1).ToList();
            pending = [.. Components(Path.IsPathRooted(target) ? target[(Path.GetPathRoot(target)?.Length ?? 0)..] : target), .. remaining];
            if (Path.IsPathRooted(target))
            {
                current = Path.GetPathRoot(target) ?? root;
            }

            i = -1;
        }

        return current;
    }

    /// <summary>The raw target of a symlink, or null. An entry that cannot be inspected is taken as no link:
    /// the walk then ends on a path that does not exist as a file, which is refused as not found.</summary>
    private static string? LinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string[] Components(string path) =>
        path.Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar]);
}

using AbstractCore.Configuration;
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

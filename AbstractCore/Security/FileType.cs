using System.Runtime.InteropServices;

namespace AbstractCore.Security;

/// <summary>What kind of file system entry a path names, as <c>statx(2)</c> reports it.</summary>
internal enum FileType
{
    /// <summary>The type could not be read on this platform (not Linux): only the byte count then guards the read.</summary>
    Unknown,
    Regular,
    Directory,
    SymbolicLink,
    Fifo,
    CharacterDevice,
    BlockDevice,
    Socket,
}

/// <summary>
/// The type of a path without opening it. .NET reports a FIFO, a device and an empty file alike (size 0, "Normal"),
/// and opening a FIFO blocks until a writer comes, so the type is asked of the kernel first. <c>statx</c> has the
/// same struct layout on every Linux architecture, unlike <c>stat</c>.
/// </summary>
internal static class FileTypes
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;

    /// <summary>The type of <paramref name="path"/> itself (a symlink is not followed), or null when it does not exist or
    /// cannot be inspected.</summary>
    public static FileType? Of(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!OperatingSystem.IsLinux())
        {
            return File.Exists(path) ? FileType.Unknown : null;
        }

        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, out var status) != 0)
        {
            return null;
        }

        return (status.Mode & 0xF000) switch
        {
            0x8000 => FileType.Regular,
            0x4000 => FileType.Directory,
            0xA000 => FileType.SymbolicLink,
            0x1000 => FileType.Fifo,
            0x2000 => FileType.CharacterDevice,
            0x6000 => FileType.BlockDevice,
            0xC000 => FileType.Socket,
            _ => FileType.Unknown,
        };
    }

    /// <summary>A reader's word for the type, for messages.</summary>
    public static string Describe(FileType type) => type switch
    {
        FileType.Fifo => "a FIFO (named pipe)",
        FileType.CharacterDevice => "a character device",
        FileType.BlockDevice => "a block device",
        FileType.Socket => "a socket",
        FileType.Directory => "a directory",
        FileType.SymbolicLink => "a symbolic link",
        _ => "not a regular file",
    };

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, out StatxBuffer buffer);

    /// <summary>struct statx (256 bytes); only the mode is read.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(28)]
        public ushort Mode;
    }
}

using System.Diagnostics;
using AbstractCore.Security;

namespace AbstractCore.Tests.Security;

/// <summary>
/// Issue 13 point 4a: with local files allowed, only regular files are read, and their bytes are counted while reading.
/// Devices, FIFOs and /proc files report size 0, so a size check before reading let /dev/zero fill memory and a FIFO
/// hang the request.
/// </summary>
public sealed class LocalFileReadTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("acore-read-").FullName;
    private readonly LocalFilePolicy _policy = new(null, allowLocalFiles: true);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A FIFO nobody writes to: opening it for reading would block until a writer came.</summary>
    public static string MakeFifo(string directory)
    {
        var path = Path.Join(directory, "pipe.txt");
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
        return path;
    }

    [Fact]
    public async Task A_fifo_is_refused_at_once_without_being_opened()
    {
        var fifo = MakeFifo(_dir);

        // Run off the test thread: before the fix the open itself blocked, and the bounded wait turns that into a failure.
        var read = Task.Run(() => _policy.ReadAsync(fifo, MediaLimits.MaxFileBytes, Unexpected, CancellationToken.None));
        var e = await Assert.ThrowsAsync<GatewayException>(() => read.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal(400, e.Status);
        Assert.Equal($"Local file {fifo} is a FIFO (named pipe): only regular files can be attached.", e.Message);
        Assert.Equal("not_a_regular_file", e.Code);
    }

    [Theory]
    [InlineData("/dev/zero", "a character device")]
    [InlineData("/dev/null", "a character device")]
    public async Task A_device_is_refused(string path, string described)
    {
        var e = await Assert.ThrowsAsync<GatewayException>(() => _policy.ReadAsync(path, MediaLimits.MaxFileBytes, Unexpected, CancellationToken.None));
        Assert.Equal(400, e.Status);
        Assert.Equal($"Local file {path} is {described}: only regular files can be attached.", e.Message);
    }

    [Fact]
    public async Task A_file_that_reports_size_0_is_still_stopped_at_the_limit()
    {
        // /proc files are regular files that report size 0 and hold more: only counting the bytes read catches them.
        Assert.Equal(0, new FileInfo("/proc/self/status").Length);
        var tooLarge = new GatewayException(413, "too large", "file_too_large");

        var e = await Assert.ThrowsAsync<GatewayException>(() => _policy.ReadAsync("/proc/self/status", 64, () => tooLarge, CancellationToken.None));

        Assert.Same(tooLarge, e);
        var (_, whole) = await _policy.ReadAsync("/proc/self/status", MediaLimits.MaxFileBytes, Unexpected, CancellationToken.None);
        Assert.True(whole.Length > 64);
    }

    [Fact]
    public async Task A_regular_file_is_read_whole_up_to_the_limit()
    {
        var path = Path.Join(_dir, "a.txt");
        await File.WriteAllBytesAsync(path, new byte[100]);

        var (full, content) = await _policy.ReadAsync(path, 100, Unexpected, CancellationToken.None);
        Assert.Equal(path, full);
        Assert.Equal(100, content.Length);

        await Assert.ThrowsAsync<InvalidOperationException>(() => _policy.ReadAsync(path, 99, () => new InvalidOperationException(), CancellationToken.None));
    }

    private static Exception Unexpected() => new Xunit.Sdk.XunitException("the limit was not expected to be reached");
}

using System.Globalization;

// A startup hook (DOTNET_STARTUP_HOOKS=<this dll>) that lets the bench read a server's GC heap without dotnet-counters
// and without touching the server's code: every 250 ms it writes one line to $ABSTRACTCORE_BENCH_GC_FILE.
// The runtime looks the hook up by this exact type name, outside any namespace.
#pragma warning disable CA1050 // Declare types in namespaces
internal static class StartupHook
#pragma warning restore CA1050
{
    private static Timer? s_timer;

    public static void Initialize()
    {
        var file = Environment.GetEnvironmentVariable("ABSTRACTCORE_BENCH_GC_FILE");
        if (string.IsNullOrEmpty(file))
        {
            return;
        }

        s_timer = new Timer(_ => Write(file), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(250));
    }

    private static void Write(string file)
    {
        try
        {
            // GetTotalMemory(false) is what dotnet-counters shows as "GC heap size": live objects plus garbage not yet collected.
            var line = string.Create(CultureInfo.InvariantCulture,
                $"heap={GC.GetTotalMemory(false)} gen0={GC.CollectionCount(0)} gen2={GC.CollectionCount(2)} allocated={GC.GetTotalAllocatedBytes()}\n");
            var temp = file + ".tmp";
            File.WriteAllText(temp, line);
            File.Move(temp, file, overwrite: true);
        }
        catch (IOException)
        {
            // The bench's temp folder is gone: the run is over.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using AbstractCore.TestKit;

namespace AbstractCore.Bench;

/// <summary>The zero-latency upstream: TestKit's fake with its default short text reply, nothing recorded.</summary>
internal static class UpstreamHost
{
    public static async Task<int> RunAsync(Options options)
    {
        if (options.Int("port", 0) != 0)
        {
            // FakeOpenAIUpstream always binds 127.0.0.1:0; the script reads the URL printed below instead.
            throw new ArgumentException("the fake upstream binds a free port of its own; omit --port and read its base URL from stdout");
        }

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);

        await using var fake = await FakeOpenAIUpstream.StartAsync(record: false);
        await Console.Out.WriteLineAsync(fake.BaseUrl.ToString());
        await Console.Out.FlushAsync();
        await stop.Task;
        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.TrySetResult();
        }
    }
}

internal static class FreePort
{
    public static int Print()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Console.WriteLine(((IPEndPoint)listener.LocalEndpoint).Port);
        return 0;
    }
}

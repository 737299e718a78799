using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using AbstractCore.TestKit;

namespace AbstractCore.Bench;

/// <summary>
/// The zero-latency upstream: TestKit's fake with its default short text reply, nothing recorded. <c>upstream</c> hosts
/// <see cref="FakeOpenAIUpstream"/> (prints <c>http://127.0.0.1:&lt;port&gt;/v1/</c>), <c>anthropic-upstream</c>
/// <see cref="FakeAnthropicUpstream"/> (prints <c>http://127.0.0.1:&lt;port&gt;</c>, as ANTHROPIC_BASE_URL takes it).
/// <c>--count N</c> hosts N fakes in this one process, one URL per line: bench/routing.sh's two deployments are then two
/// upstreams (two ports, two connection pools) without a second busy process on the machine, which the plain route it is
/// compared with would not have.
/// </summary>
internal static class UpstreamHost
{
    public static Task<int> RunAsync(Options options) =>
        HostAsync(options, async () =>
        {
            var fake = await FakeOpenAIUpstream.StartAsync(record: false);
            return (fake.BaseUrl, (IAsyncDisposable)fake);
        });

    public static Task<int> RunAnthropicAsync(Options options) =>
        HostAsync(options, async () =>
        {
            var fake = await FakeAnthropicUpstream.StartAsync(record: false);
            return (fake.BaseUrl, (IAsyncDisposable)fake);
        });

    private static async Task<int> HostAsync(Options options, Func<Task<(Uri BaseUrl, IAsyncDisposable Fake)>> start)
    {
        if (options.Int("port", 0) != 0)
        {
            // TestKit's fakes always bind 127.0.0.1:0; the script reads the URL printed below instead.
            throw new ArgumentException("the fake upstream binds a free port of its own; omit --port and read its base URL from stdout");
        }

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);

        var fakes = new List<IAsyncDisposable>();
        try
        {
            for (var i = options.Int("count", 1); i > 0; i--)
            {
                var (baseUrl, fake) = await start();
                fakes.Add(fake);
                await Console.Out.WriteLineAsync(baseUrl.ToString());
            }

            await Console.Out.FlushAsync();
            await stop.Task;
            return 0;
        }
        finally
        {
            foreach (var fake in fakes)
            {
                await fake.DisposeAsync();
            }
        }

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

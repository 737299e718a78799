using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AbstractCore.TestKit;

/// <summary>
/// The plumbing every fake upstream shares: an isolated Kestrel on 127.0.0.1 with a random port, the request log,
/// the count of requests aborted by their client, and a shutdown that releases requests the fake keeps hanging.
/// Each fake composes one and keeps its own wire protocol and public API.
/// </summary>
internal sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<RecordedRequest> _requests = [];
    private readonly Lock _requestsLock = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly TaskCompletionSource _firstCancellation = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _cancelled;
    private int _disposed;

    private LoopbackServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    /// <summary>Starts Kestrel on a free loopback port, every request going to <paramref name="handler"/>.</summary>
    public static async Task<LoopbackServer> StartAsync(RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = typeof(LoopbackServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });

        // Nothing from the host process (appsettings.json, ASPNETCORE_URLS, Kestrel endpoints) may leak in.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseKestrel(options =>
        {
            options.AddServerHeader = false;
            options.Limits.MaxRequestBodySize = null; // a fake takes whatever the gateway forwards, as large as it is
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(2));

        var app = builder.Build();
        app.Run(handler);
        await app.StartAsync().ConfigureAwait(false);

        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        return new LoopbackServer(app, new Uri(addresses.First()).Port);
    }

    public int Port { get; }

    /// <summary><c>http://127.0.0.1:&lt;port&gt;</c>, no trailing slash.</summary>
    public string Root => "http://127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Cancelled first thing on dispose, so hanging and delayed replies end before Kestrel stops.</summary>
    public CancellationToken ShutdownToken => _shutdown.Token;

    public bool IsShuttingDown => _shutdown.IsCancellationRequested;

    /// <summary>A snapshot of every recorded request.</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_requestsLock)
            {
                return _requests.ToArray();
            }
        }
    }

    public int CancelledRequests => Volatile.Read(ref _cancelled);

    /// <summary>The last recorded request that matches, or null.</summary>
    public RecordedRequest? Last(Func<RecordedRequest, bool> match)
    {
        lock (_requestsLock)
        {
            for (var i = _requests.Count - 1; i >= 0; i--)
            {
                if (match(_requests[i]))
                {
                    return _requests[i];
                }
            }
        }

        return null;
    }

    /// <summary>Keeps the request with all its headers (case-insensitive keys, several values joined by <c>", "</c>).</summary>
    public void Record(HttpRequest request, string path, string body)
    {
        var headers = new Dictionary<string, string>(request.Headers.Count, StringComparer.OrdinalIgnoreCase);
        foreach (var header in request.Headers)
        {
            headers[header.Key] = header.Value.ToString();
        }

        var recorded = new RecordedRequest(request.Method, path, headers, body);
        lock (_requestsLock)
        {
            _requests.Add(recorded);
        }
    }

    /// <summary>Counts one request aborted by its client and wakes <see cref="WaitForCancellationAsync"/>.</summary>
    public void CountCancelled()
    {
        Interlocked.Increment(ref _cancelled);
        _firstCancellation.TrySetResult();
    }

    /// <summary>True as soon as <see cref="CancelledRequests"/> is above zero; false if that did not happen within <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForCancellationAsync(TimeSpan timeout)
    {
        if (CancelledRequests > 0)
        {
            return true;
        }

        try
        {
            await _firstCancellation.Task.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        return CancelledRequests > 0;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _shutdown.CancelAsync().ConfigureAwait(false);
        using (var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            try
            {
                await _app.StopAsync(stopTimeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        await _app.DisposeAsync().ConfigureAwait(false);
        _shutdown.Dispose();
    }
}

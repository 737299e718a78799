using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace AbstractCore.TestKit;

/// <summary>A file server on loopback for attachment URLs: serves what a test registers and counts every hit,
/// so a test can prove a refused URL was never fetched.</summary>
public sealed class LoopbackFiles : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private LoopbackServer? _server;
    private int _hits;

    public static async Task<LoopbackFiles> StartAsync()
    {
        var files = new LoopbackFiles();
        files._server = await LoopbackServer.StartAsync(files.HandleAsync).ConfigureAwait(false);
        return files;
    }

    /// <summary><c>http://127.0.0.1:&lt;port&gt;</c>.</summary>
    public string BaseUrl => _server?.Root ?? throw new InvalidOperationException("Not started.");

    public int Hits => Volatile.Read(ref _hits);

    /// <summary>Serves <paramref name="content"/> at <c>/NAME</c> and returns its URL.</summary>
    public string Serve(string name, byte[] content)
    {
        _files[name] = content;
        return $"{BaseUrl}/{name}";
    }

    public ValueTask DisposeAsync() => _server?.DisposeAsync() ?? ValueTask.CompletedTask;

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _hits);
        if (!_files.TryGetValue(context.Request.Path.Value!.TrimStart('/'), out var content))
        {
            context.Response.StatusCode = 404;
            return;
        }

        context.Response.ContentType = "application/octet-stream";
        await context.Response.Body.WriteAsync(content, context.RequestAborted).ConfigureAwait(false);
    }
}

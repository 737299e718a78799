using System.Net;

namespace AbstractCore.Providers;

/// <summary>
/// The one pooled connection handler every provider call goes through. No overall timeout here: LLM calls
/// are long, and the gateway applies its own per-request deadline that it can tell apart from a client
/// disconnect.
/// </summary>
public sealed class UpstreamHttp : IDisposable
{
    public UpstreamHttp()
    {
        Handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            ConnectTimeout = TimeSpan.FromSeconds(15),
            AutomaticDecompression = DecompressionMethods.All,
            EnableMultipleHttp2Connections = true,
            UseCookies = false,
            AllowAutoRedirect = false,
        };
        Client = new HttpClient(Handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public SocketsHttpHandler Handler { get; }

    public HttpClient Client { get; }

    public void Dispose()
    {
        Client.Dispose();
        Handler.Dispose();
    }
}

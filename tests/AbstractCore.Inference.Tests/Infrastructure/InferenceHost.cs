using AbstractCore.Inference.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AbstractCore.Inference.Tests.Infrastructure;

/// <summary>The real Inference service on Kestrel at a free loopback port, serving the test models.</summary>
public sealed class InferenceHost : IAsyncDisposable
{
    private InferenceHost(WebApplication app, Uri root)
    {
        App = app;
        Root = root;
        Http = new HttpClient { BaseAddress = root };
    }

    public WebApplication App { get; }

    /// <summary><c>http://127.0.0.1:port/</c>.</summary>
    public Uri Root { get; }

    /// <summary>The OpenAI-compatible base URL (<c>…/v1</c>), as ABSTRACTCORE_INFERENCE_URL takes it.</summary>
    public string V1 => new Uri(Root, "v1").AbsoluteUri;

    public HttpClient Http { get; }

    public T Service<T>() where T : notnull => App.Services.GetRequiredService<T>();

    /// <param name="log">Receives Information and up (the console gets Warning and up only).</param>
    public static async Task<InferenceHost> StartAsync(IReadOnlyDictionary<string, string?>? settings = null, TimeProvider? time = null,
        CapturedLog? log = null)
    {
        var app = InferenceApp.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                [InferenceSettings.ModelsDirVariable] = TestModels.Directory,
                // Never the machine's ~/.abstractcore: a host of its own unless the test names a folder (restarts).
                [InferenceSettings.BlocArtifactsDirVariable] = Path.Combine(TestModels.Directory, ".blocs-" + Guid.NewGuid().ToString("N")[..8]),
                ["Logging:LogLevel:Default"] = "Warning",
            });
            if (settings is not null)
            {
                builder.Configuration.AddInMemoryCollection(settings);
            }

            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            if (log is not null)
            {
                builder.Logging.AddProvider(log);
                builder.Logging.AddFilter<CapturedLog>(null, LogLevel.Information);
            }

            builder.WebHost.UseUrls("http://127.0.0.1:0");
            if (time is not null)
            {
                builder.Services.AddSingleton(time);
            }
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new InferenceHost(app, new Uri(address.TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

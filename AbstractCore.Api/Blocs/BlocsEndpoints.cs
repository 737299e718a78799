using AbstractCore.Api.Hosting;
using AbstractCore.Blocs;
using AbstractCore.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AbstractCore.Api.Blocs;

/// <summary>
/// <c>/acore/blocs/*</c>, the memory blocs (spec 9.3): the bloc records in the gateway's store, and their KV artifacts
/// in the Inference service; with <c>base_url</c>, an upstream AbstractEndpoint's. Every route needs the server token.
/// </summary>
internal static class BlocsEndpoints
{
    public const string Base = "acore/blocs";

    /// <summary>Redis when a <c>cache</c> connection string is configured (every replica sees the same blocs); else files
    /// under <c>ABSTRACTCORE_BLOCS_DIR</c> or the AbstractCore home (<c>~/.abstractcore/blocs</c>), unless the server may
    /// not use the home (ABSTRACTCORE_SERVER_DISABLE_CENTRALIZED_CONFIG) and names no folder: then a temporary folder.</summary>
    public static void AddBlocs(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var services = builder.Services;
        string? Setting(string name) => configuration[name] ?? Environment.GetEnvironmentVariable(name);
        if (GatewayRedis.IsConfigured(configuration))
        {
            services.AddSingleton(sp => BlocStores.Redis(sp.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>()));
        }
        else if (string.IsNullOrWhiteSpace(Setting(BlocStores.FolderVariable)) && Flags.IsOn(configuration[ConfigFileSettings.DisableVariable]))
        {
            services.AddSingleton(_ => BlocStores.Temporary());
        }
        else
        {
            services.AddSingleton(_ => BlocStores.Files(BlocStores.DefaultFolder(Setting)));
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<BlocForwarding>();
        services.AddSingleton<BlocsHandler>();
        services.AddSingleton<BlocKvHandler>();
    }

    public static void MapBlocs(this RouteGroupBuilder acore)
    {
        var blocs = acore.MapGroup("/blocs").WithTags("Memory Blocs");
        blocs.MapPost("/upsert_text", (HttpContext c, BlocsHandler h) => h.UpsertAsync(c));
        acore.MapGet("/blocs", (HttpContext c, BlocsHandler h) => h.ListAsync(c)).WithTags("Memory Blocs"); // no trailing slash, as in the spec
        blocs.MapGet("/record", (HttpContext c, BlocsHandler h) => h.RecordAsync(c));
        blocs.MapPost("/delete", (HttpContext c, BlocsHandler h) => h.DeleteAsync(c));
        foreach (var (name, isGet, _, _) in BlocKvHandler.Operations)
        {
            var route = "/kv/" + name;
            _ = isGet
                ? blocs.MapGet(route, (HttpContext c, BlocKvHandler h) => h.HandleAsync(c, name))
                : blocs.MapPost(route, (HttpContext c, BlocKvHandler h) => h.HandleAsync(c, name));
        }
    }
}

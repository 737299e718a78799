using AbstractCore.Api.Hosting;
using AbstractCore.Capabilities;
using AbstractCore.Configuration;
using AbstractCore.Media;

namespace AbstractCore.Api.Capabilities;

/// <summary>
/// <c>/v1/config/capability-defaults</c>: list, set (partially) and clear the route defaults a media request falls
/// back to when it names no model. Persisted in Redis when the gateway has a <c>cache</c>, else in the config file.
/// </summary>
public static class CapabilityDefaultsEndpoint
{
    private static readonly RequestExample Example = new(typeof(CapabilityDefaultBody), """
        {"provider": "openai", "model": "gpt-4o-mini-tts", "base_url": null, "options": {}}
        """);

    /// <summary>Redis when a <c>cache</c> connection string is configured (the Redis client is registered by the
    /// Responses store), else the config file the CLI writes, unless the server may not use it
    /// (ABSTRACTCORE_SERVER_DISABLE_CENTRALIZED_CONFIG): then memory.</summary>
    public static void AddCapabilityDefaults(this WebApplicationBuilder builder)
    {
        if (!string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString("cache")))
        {
            builder.Services.AddSingleton<ICapabilityDefaultsStore>(sp =>
                new RedisCapabilityDefaultsStore(sp.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>()));
        }
        else if (Flags.IsOn(builder.Configuration[ConfigFileSettings.DisableVariable]))
        {
            builder.Services.AddSingleton<ICapabilityDefaultsStore, InMemoryCapabilityDefaultsStore>();
        }
        else
        {
            var configuration = builder.Configuration;
            builder.Services.AddSingleton<ICapabilityDefaultsStore>(_ => new FileCapabilityDefaultsStore(
                ConfigFile.ResolvePath(name => configuration[name] ?? Environment.GetEnvironmentVariable(name))));
        }
    }

    public static void MapCapabilityDefaults(this WebApplication app)
    {
        const string Base = "/v1/config/capability-defaults";
        app.MapGet(Base, async (ICapabilityDefaultsStore store, CancellationToken ct) => await PayloadAsync(store, ct))
            .WithTags("Configuration").WithSummary("List the capability route defaults");
        foreach (var path in (string[])[Base + "/{kind}/{modality}", Base + "/{kind}/{modality}/{task}"])
        {
            app.MapPut(path, SetAsync).WithTags("Configuration").WithSummary("Set one capability route default (partial update)")
                .WithMetadata(Example);
            app.MapDelete(path, DeleteAsync).WithTags("Configuration").WithSummary("Clear one capability route default");
        }
    }

    private static async Task<IResult> SetAsync(HttpContext context, string kind, string modality, string? task, ICapabilityDefaultsStore store)
    {
        var ct = context.RequestAborted;
        var key = CapabilityDefault.ValidateKey(kind, modality, task);
        var body = await BodyRules.ReadObjectAsync(context.Request.Body, ct);
        var current = await store.GetAsync(CapabilityDefault.KeyOf(key.Kind, key.Modality, key.Task), ct)
                      ?? CapabilityDefault.Empty(key.Kind, key.Modality, key.Task);
        await store.SaveAsync(CapabilityDefaultPatch.Apply(current, body), ct);
        return await PayloadAsync(store, ct);
    }

    private static async Task<IResult> DeleteAsync(string kind, string modality, string? task, ICapabilityDefaultsStore store, CancellationToken ct)
    {
        var key = CapabilityDefault.ValidateKey(kind, modality, task);
        await store.DeleteAsync(CapabilityDefault.KeyOf(key.Kind, key.Modality, key.Task), ct);
        return await PayloadAsync(store, ct);
    }

    private static async Task<IResult> PayloadAsync(ICapabilityDefaultsStore store, CancellationToken ct)
    {
        var routes = await store.ListAsync(ct);
        var payload = new CapabilityDefaultsPayload
        {
            Source = store.Source,
            ConfigFile = store.ConfigFile,
            Routes = [.. routes.Select(r => new CapabilityRouteEntry
            {
                Key = r.Key, Kind = r.Kind, Modality = r.Modality, Task = r.Task, Provider = r.Provider, Model = r.Model,
                BaseUrl = r.BaseUrl, Reasoning = r.Reasoning, Options = r.Options, Configured = r.IsConfigured, Source = store.Source,
            })],
        };
        return Results.Json(payload, CapabilitiesJsonContext.Default.CapabilityDefaultsPayload);
    }
}

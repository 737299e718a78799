using AbstractCore.Api.Hosting;
using AbstractCore.Capabilities;
using AbstractCore.Configuration;

namespace AbstractCore.Api.Capabilities;

/// <summary>
/// <c>/v1/config/capability-defaults</c>: list, set (partially) and clear the route defaults a media request falls
/// back to when it names no model. Persisted in Redis when the gateway has a <c>cache</c>, else in the config file.
/// </summary>
internal static class CapabilityDefaultsEndpoints
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

    public static void MapCapabilityDefaults(this OpenAIApi api)
    {
        const string Base = "/config/capability-defaults";
        api.V1.MapGet(Base, CapabilityDefaultsHandler.ListAsync)
            .WithTags("Configuration").WithSummary("List the capability route defaults");
        foreach (var path in (string[])[Base + "/{kind}/{modality}", Base + "/{kind}/{modality}/{task}"])
        {
            api.V1.MapPut(path, CapabilityDefaultsHandler.SetAsync).WithTags("Configuration").WithSummary("Set one capability route default (partial update)")
                .WithMetadata(Example);
            api.V1.MapDelete(path, CapabilityDefaultsHandler.DeleteAsync).WithTags("Configuration").WithSummary("Clear one capability route default");
        }
    }
}

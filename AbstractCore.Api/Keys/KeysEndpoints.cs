using AbstractCore.Api.Hosting;
using AbstractCore.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AbstractCore.Api.Keys;

internal static class KeysEndpoints
{
    public const string FileVariable = "ABSTRACTCORE_KEYS_FILE";

    /// <summary>Keys in Redis when a <c>cache</c> connection string is configured (every replica sees the same keys); else in
    /// <c>ABSTRACTCORE_KEYS_FILE</c>, or <c>keys.json</c> beside the config file, unless the server may not use the home
    /// (ABSTRACTCORE_SERVER_DISABLE_CENTRALIZED_CONFIG) and names no file: then a file in a temporary folder.</summary>
    public static void AddKeys(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var services = builder.Services;
        string? Setting(string name) => configuration[name] ?? Environment.GetEnvironmentVariable(name);
        if (GatewayRedis.IsConfigured(configuration))
        {
            services.AddSingleton<IKeyStore>(sp => new RedisKeyStore(sp.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>()));
        }
        else
        {
            var file = Setting(FileVariable) is { Length: > 0 } named ? ConfigFile.ExpandHome(named, Setting)
                : Flags.IsOn(configuration[ConfigFileSettings.DisableVariable])
                    ? Path.Combine(Path.GetTempPath(), "acore-keys-" + Guid.NewGuid().ToString("N"), "keys.json")
                    : Path.Combine(Path.GetDirectoryName(ConfigFile.ResolvePath(Setting))!, "keys.json");
            services.AddSingleton<IKeyStore>(new FileKeyStore(Path.GetFullPath(file)));
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<KeyRing>();
        services.AddHostedService(sp => sp.GetRequiredService<KeyRing>());
        services.AddSingleton<KeysHandler>();
    }

    public static void MapKeys(this RouteGroupBuilder acore)
    {
        // One group for the admin rule; the list routes are mapped on /acore itself, so their path has no trailing slash.
        var admin = acore.MapGroup("").WithTags("Virtual Keys").WithMetadata(AdminOnly.Instance);
        admin.MapPost("/keys", (HttpContext c, KeysHandler h) => h.CreateAsync(c))
            .WithSummary("Create a virtual key (its secret is shown once, in this answer)").Produces<KeyCreated>(201);
        admin.MapGet("/keys", (HttpContext c, KeysHandler h) => h.ListAsync(c)).WithSummary("List virtual keys").Produces<KeyList>();
        var keys = admin.MapGroup("/keys");
        keys.MapGet("/{id}", (HttpContext c, string id, KeysHandler h) => h.GetAsync(c, id)).WithSummary("Read a virtual key").Produces<KeyView>();
        keys.MapPatch("/{id}", (HttpContext c, string id, KeysHandler h) => h.UpdateAsync(c, id))
            .WithSummary("Change a virtual key's limits, budget, expiry or state (null removes a limit)").Produces<KeyView>();
        keys.MapDelete("/{id}", (HttpContext c, string id, KeysHandler h) => h.DeleteAsync(c, id)).WithSummary("Delete a virtual key").Produces<KeyDeleted>();
    }
}

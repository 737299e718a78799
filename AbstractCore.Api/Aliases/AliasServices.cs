using AbstractCore.Aliases;
using AbstractCore.Api.Hosting;

namespace AbstractCore.Api.Aliases;

/// <summary>Model aliases (<c>model_aliases</c>, <see cref="ModelAliases"/>) and the router that runs their attempts.</summary>
internal static class AliasServices
{
    public static void AddAliases(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var aliases = ModelAliases.From(builder.Configuration);
        services.AddSingleton(aliases);
        services.AddSingleton<AliasRouter>();
        services.AddSingleton<AliasAttempts>();
        if (aliases.IsEmpty)
        {
            services.AddSingleton<ICooldownShare, LocalCooldowns>();
            return;
        }

        // Cooldowns: each replica's own circuits, shared with the other replicas through Redis when there is one.
        if (GatewayRedis.IsConfigured(builder.Configuration))
        {
            services.AddSingleton<RedisCooldowns>();
            services.AddSingleton<ICooldownShare>(sp => sp.GetRequiredService<RedisCooldowns>());
            services.AddHostedService<RedisCooldownSync>();
        }
        else
        {
            services.AddSingleton<ICooldownShare, LocalCooldowns>();
        }

        services.AddHostedService<CooldownMetrics>();
        services.AddHealthChecks().AddCheck<RoutingHealthCheck>(RoutingHealthCheck.Name);
    }
}

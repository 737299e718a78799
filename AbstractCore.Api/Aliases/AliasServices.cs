using AbstractCore.Aliases;

namespace AbstractCore.Api.Aliases;

/// <summary>Model aliases (<c>model_aliases</c>, <see cref="ModelAliases"/>) and the router that runs their attempts.</summary>
internal static class AliasServices
{
    public static void AddAliases(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(ModelAliases.From(builder.Configuration));
        services.AddSingleton<ICooldownShare, LocalCooldowns>();
        services.AddSingleton<AliasRouter>();
        services.AddSingleton<AliasAttempts>();
    }
}

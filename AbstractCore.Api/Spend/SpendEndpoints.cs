using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;

namespace AbstractCore.Api.Spend;

/// <summary>The spend ledger and <c>GET /acore/spend</c>.</summary>
internal static class SpendEndpoints
{
    /// <summary>The ledger in Redis when the gateway has one (the <c>cache</c> connection string registers its client), so
    /// replicas share budgets; else in memory and <c>spend.json</c> (<see cref="SpendFile"/>).</summary>
    public static IServiceCollection AddSpend(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ISpendStore>(sp => sp.GetRequiredService<IServiceProviderIsService>().IsService(typeof(IConnectionMultiplexer))
            ? new RedisSpendStore(sp.GetRequiredService<IConnectionMultiplexer>)
            : new LocalSpendStore(SpendFile.Resolve(Setting(sp.GetRequiredService<IConfiguration>())), sp.GetRequiredService<ILogger<LocalSpendStore>>()));
        services.AddSingleton<SpendMetrics>();
        services.AddSingleton(sp => new SpendLedger(sp.GetRequiredService<ISpendStore>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<SpendMetrics>(), sp.GetRequiredService<ILogger<SpendLedger>>()));
        services.AddHostedService<SpendFlusher>();
        services.AddSingleton<AbstractCore.Spend.IJobSpend, LedgerJobSpend>(); // wins over the jobs' no-op default
        services.AddSingleton(sp => AbstractCore.Spend.PriceTable.Load(sp.GetRequiredService<IConfiguration>()));
        return services;
    }

    public static void MapSpend(this RouteGroupBuilder acore) =>
        acore.MapGet("/spend", SpendHandler.ListAsync)
            .WithTags("Spend")
            .WithSummary("Spend by key, provider, model and UTC day (key_id, model, provider, from, to, group_by); a non-admin key sees its own")
            .Produces<SpendList>();

    private static Func<string, string?> Setting(IConfiguration configuration) =>
        name => configuration[name] ?? Environment.GetEnvironmentVariable(name);
}

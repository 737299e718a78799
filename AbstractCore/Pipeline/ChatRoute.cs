using AbstractCore.Aliases;
using AbstractCore.Providers;
using AbstractCore.Routing;

namespace AbstractCore.Pipeline;

/// <summary>Where a chat request goes: its model, the provider it names and the backend speaking that provider's protocol.
/// For a model alias, <see cref="Alias"/> is set: the first three are its first deployment's until an attempt picks one
/// (<see cref="ChatPlanner.ForDeployment"/>), which sets <see cref="Deployment"/>.</summary>
public sealed record ChatRoute(ModelRef Model, ProviderDescriptor Provider, IChatBackend Backend)
{
    public ModelAlias? Alias { get; init; }

    public AliasDeployment? Deployment { get; init; }
}

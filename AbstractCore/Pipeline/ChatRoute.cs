using AbstractCore.Providers;
using AbstractCore.Routing;

namespace AbstractCore.Pipeline;

/// <summary>Where a chat request goes: its model, the provider it names and the backend speaking that provider's protocol.</summary>
public sealed record ChatRoute(ModelRef Model, ProviderDescriptor Provider, IChatBackend Backend);

namespace AbstractCore.Providers;

/// <summary>The registered backends by protocol.</summary>
public sealed class ChatBackends(IEnumerable<IChatBackend> backends)
{
    private readonly Dictionary<ProviderProtocol, IChatBackend> _byProtocol = backends.ToDictionary(b => b.Protocol);

    public IChatBackend For(ProviderDescriptor provider) =>
        _byProtocol.GetValueOrDefault(provider.Protocol) ?? throw new GatewayException(501,
            $"Provider '{provider.Name}' is known but its {provider.Protocol} backend is not registered in this server.",
            "not_implemented", "model", "provider_unavailable");
}

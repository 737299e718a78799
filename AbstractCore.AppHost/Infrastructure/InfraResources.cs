namespace AbstractCore.AppHost.Infrastructure;

/// <summary>
/// Redis and RabbitMQ as the services see them: two resources named <c>cache</c> and <c>messaging</c>, or neither in
/// embedded mode (the services then fall back to their in-memory stores and bus).
/// </summary>
internal sealed record InfraResources(
    IResourceBuilder<IResourceWithConnectionString>? Cache,
    IResourceBuilder<IResourceWithConnectionString>? Messaging)
{
    public static InfraResources Embedded { get; } = new(null, null);

    public bool IsEmbedded => Cache is null;
}

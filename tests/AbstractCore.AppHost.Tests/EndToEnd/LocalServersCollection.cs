namespace AbstractCore.AppHost.Tests.EndToEnd;

/// <summary>
/// The tests that start Redis and RabbitMQ through the AppHost run one after the other: two RabbitMQ nodes booting at
/// once on a busy 2-core machine was seen to fail one of them (a CI run of the full suite), which says nothing about
/// the AppHost.
/// </summary>
[CollectionDefinition(Name)]
public sealed class LocalServersCollection
{
    public const string Name = "AppHost local servers";
}

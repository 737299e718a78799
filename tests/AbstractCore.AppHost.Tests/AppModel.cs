namespace AbstractCore.AppHost.Tests;

/// <summary>
/// The AppHost's application model as its Program builds it, without starting anything: external mode, so no
/// server is started, no port is taken and no container engine is probed.
/// </summary>
internal static class AppModel
{
    public static Task<IDistributedApplicationTestingBuilder> CreateAsync(CancellationToken cancellationToken, params string[] args) =>
        DistributedApplicationTestingBuilder.CreateAsync<Projects.AbstractCore_AppHost>(
            ["--Infra:Mode=external", "--ConnectionStrings:cache=127.0.0.1:1", "--ConnectionStrings:messaging=amqp://guest:guest@127.0.0.1:1", .. args],
            (options, _) => options.DisableDashboard = true,
            cancellationToken);
}

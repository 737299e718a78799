using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace AbstractCore.AppHost.Tests;

public sealed class AppHostStartupTests(ITestOutputHelper output)
{
    private static readonly TimeSpan StartupBudget = TimeSpan.FromSeconds(150);

    [Fact]
    public async Task WholeStackStartsInExecutableModeAndEveryServiceAnswersHealth()
    {
        using var timeout = new CancellationTokenSource(StartupBudget);
        var ct = timeout.Token;
        var clock = Stopwatch.StartNew();

        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AbstractCore_AppHost>(
            ["--Infra:Mode=executable", "--ABSTRACTCORE_SERVER_ALLOW_UNAUTHENTICATED=1"],
            (options, _) =>
            {
                options.DisableDashboard = true;
                options.AllowUnsecuredTransport = true;
            },
            ct);
        appHost.Services.AddLogging(logging => logging
            .AddProvider(new TestOutputLoggerProvider(output))
            .AddFilter("Aspire.Hosting.Dcp", LogLevel.Warning)
            .AddFilter("Microsoft.AspNetCore", LogLevel.Warning));

        await using var app = await appHost.BuildAsync(ct);
        await app.StartAsync(ct);

        await Task.WhenAll(
            app.ResourceNotifications.WaitForResourceHealthyAsync("api", ct),
            app.ResourceNotifications.WaitForResourceHealthyAsync("inference", ct),
            app.ResourceNotifications.WaitForResourceHealthyAsync("jobs", ct));
        output.WriteLine($"All services healthy after {clock.Elapsed.TotalSeconds:0.0} s");

        await AssertHealthyAsync(app, "api", expectedService: null, ct);
        await AssertHealthyAsync(app, "inference", expectedService: "inference", ct);
        await AssertHealthyAsync(app, "jobs", expectedService: "jobs", ct);
    }

    private static async Task AssertHealthyAsync(DistributedApplication app, string resource, string? expectedService, CancellationToken ct)
    {
        using var client = app.CreateHttpClient(resource, "http");
        using var response = await client.GetAsync(new Uri("/health", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        Assert.Equal("healthy", body.RootElement.GetProperty("status").GetString());
        if (expectedService is not null)
        {
            Assert.Equal(expectedService, body.RootElement.GetProperty("service").GetString());
        }
    }
}

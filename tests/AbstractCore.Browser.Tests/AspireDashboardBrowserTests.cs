using AbstractCore.Browser.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace AbstractCore.Browser.Tests;

/// <summary>
/// The whole system as the README starts it (the AppHost, its infrastructure mode left to <c>auto</c>), seen in the
/// Aspire dashboard's resources page: every resource of the chosen mode is listed.
/// </summary>
public sealed class AspireDashboardBrowserTests(Chromium chromium, ITestOutputHelper output) : IClassFixture<Chromium>
{
    /// <summary>A bound, not a measurement: on a busy 2-core machine the first start takes about a minute.</summary>
    private static readonly TimeSpan StartupPatience = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task The_readmes_first_answer_comes_and_the_dashboards_resources_page_lists_the_systems_resources()
    {
        var modelsDir = Directory.CreateTempSubdirectory("acore-dashboard-models-");
        try
        {
            // The README's variables, and an empty models folder of its own, so the run never writes into the user's
            // ~/.abstractcore/models (an empty one, like the README's on a fresh machine: the demo model is written there).
            var environment = new Dictionary<string, string>(ReadmeFirstAnswer.Environment())
            {
                ["ABSTRACTCORE_ONNX_MODELS_DIR"] = modelsDir.FullName,
            };
            await using var appHost = AppHostProcess.Start(environment);
            try
            {
                await ShowResourcesAsync(appHost);
                await AnswerTheFirstRequestAsync(modelsDir);
            }
            finally
            {
                output.WriteLine(appHost.Output);
            }
        }
        finally
        {
            modelsDir.Delete(recursive: true);
        }
    }

    /// <summary>The README's curl command, as written, gets the demo model's answer through the gateway.</summary>
    private async Task AnswerTheFirstRequestAsync(DirectoryInfo modelsDir)
    {
        var answer = System.Text.Json.Nodes.JsonNode.Parse(await ReadmeFirstAnswer.CurlAsync())!;
        output.WriteLine(answer.ToJsonString());
        Assert.Equal("onnx/demo", (string?)answer["model"]);
        Assert.False(string.IsNullOrEmpty((string?)answer["choices"]![0]!["message"]!["content"]));
        Assert.True(File.Exists(Path.Combine(modelsDir.FullName, "demo", "genai_config.json")), "the demo model was not written");
    }

    private async Task ShowResourcesAsync(AppHostProcess appHost)
    {
        // The AppHost's own progress line: the api is healthy, so everything it waits for is too.
        await appHost.WaitForOutputAsync("api: ready", StartupPatience);
        string[] expected = appHost.Mode == "Embedded"
            ? ["api", "inference"]
            : ["api", "inference", "jobs", "cache", "messaging"];

        var (page, requests) = await chromium.NewPageAsync(appHost.Dashboard);
        await page.GotoAsync(appHost.Dashboard.AbsoluteUri);
        try
        {
            await Assertions.Expect(page).ToHaveTitleAsync(new System.Text.RegularExpressions.Regex("resources", System.Text.RegularExpressions.RegexOptions.IgnoreCase));
            foreach (var name in expected)
            {
                await Assertions.Expect(page.GetByText(name, new() { Exact = true }).First).ToBeVisibleAsync();
            }

            // Every listed resource shows Running (the api, last to start, is healthy already); executable mode adds
            // RabbitMQ's port mapper as a child of messaging, so there may be more.
            await Assertions.Expect(page.GetByText("Running", new() { Exact = true }).Nth(expected.Length - 1)).ToBeVisibleAsync();
            // The services use plain HTTP, so the AppHost leaves the development certificate out: no red banner about it.
            await Assertions.Expect(page.GetByText("No trusted development certificate")).ToHaveCountAsync(0);
            output.WriteLine("Screenshot: " + await Screenshots.SaveAsync(page, "aspire-dashboard-resources", fullPage: false));
        }
        catch
        {
            await Screenshots.SaveAsync(page, "failed-aspire-dashboard", fullPage: false);
            throw;
        }

        Assert.All(requests, url => Assert.StartsWith(appHost.Dashboard.AbsoluteUri, url, StringComparison.Ordinal));
    }
}

using Microsoft.Playwright;

namespace AbstractCore.Browser.Tests.Infrastructure;

/// <summary>
/// Debian's chromium driven by Playwright's own node driver (shipped in the Microsoft.Playwright package): no browser
/// is downloaded. A machine without it fails the tests with the command that fixes it; they are never skipped.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException(
                $"The browser tests drive Debian's chromium at {ExecutablePath}, which is missing. Install it with " +
                "`apt-get install -y chromium` (.ci/run does this).");
        }

        // Generous: Scalar parses a large document, and the machine may be shared.
        Assertions.SetDefaultExpectTimeout(60_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = ExecutablePath, Headless = true });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }

    /// <summary>
    /// A fresh page (own cookies and storage) whose network requests are recorded: every request that would leave the
    /// browser passes the route below, which lets through only those to <paramref name="origin"/> (the others are
    /// aborted and stay in the list for the test to fail on). Requests a page's own CSP blocks never reach it.
    /// </summary>
    public async Task<(IPage Page, List<string> Requests)> NewPageAsync(Uri origin, Dictionary<string, string>? headers = null)
    {
        var context = await Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 }, ExtraHTTPHeaders = headers });
        context.SetDefaultTimeout(60_000);
        var requests = new List<string>();
        await context.RouteAsync("**/*", route =>
        {
            var url = route.Request.Url;
            lock (requests)
            {
                requests.Add(url);
            }

            return url.StartsWith(origin.AbsoluteUri, StringComparison.Ordinal) ? route.ContinueAsync() : route.AbortAsync();
        });
        return (await context.NewPageAsync(), requests);
    }
}

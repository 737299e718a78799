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

    /// <summary>A fresh page (own cookies and storage) that records every request it makes.</summary>
    public async Task<(IPage Page, List<string> Requests)> NewPageAsync(Dictionary<string, string>? headers = null)
    {
        var context = await Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 }, ExtraHTTPHeaders = headers });
        // Generous: Scalar parses a large document, and the machine is shared.
        context.SetDefaultTimeout(60_000);
        var page = await context.NewPageAsync();
        var requests = new List<string>();
        page.Request += (_, request) =>
        {
            lock (requests)
            {
                requests.Add(request.Url);
            }
        };
        return (page, requests);
    }
}

using Microsoft.Playwright;

namespace AbstractCore.Browser.Tests.Infrastructure;

/// <summary>Test artifacts: <c>TestResults/screenshots/NAME.png</c> under the solution root (next to the trx files CI keeps).</summary>
public static class Screenshots
{
    public static string Directory { get; } = Create();

    public static async Task<string> SaveAsync(IPage page, string name, bool fullPage = true)
    {
        var path = Path.Combine(Directory, name + ".png");
        await page.ScreenshotAsync(new() { Path = path, FullPage = fullPage });
        return path;
    }

    private static string Create()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "AbstractCore.sln")))
        {
            directory = directory.Parent;
        }

        var root = directory?.FullName ?? throw new InvalidOperationException($"No AbstractCore.sln above {AppContext.BaseDirectory}.");
        return System.IO.Directory.CreateDirectory(Path.Combine(root, "TestResults", "screenshots")).FullName;
    }
}

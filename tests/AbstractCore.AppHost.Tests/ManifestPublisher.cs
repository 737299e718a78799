using System.Text.Json;

namespace AbstractCore.AppHost.Tests;

/// <summary>
/// Runs the AppHost the way <c>dotnet run --project AbstractCore.AppHost -- --publisher manifest --output-path …</c>
/// does, in this process, and reads back the manifest it wrote.
/// </summary>
internal static class ManifestPublisher
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(120);

    public static async Task<PublishedManifest> PublishAsync(params string[] settings)
    {
        var folder = Directory.CreateTempSubdirectory("abstractcore-manifest-");
        var path = Path.Combine(folder.FullName, "manifest.json");
        using var timeout = new CancellationTokenSource(Budget);

        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AbstractCore_AppHost>(
            ["--publisher", "manifest", "--output-path", path, .. settings],
            (options, _) => options.DisableDashboard = true,
            timeout.Token);
        await using (var app = await appHost.BuildAsync(timeout.Token))
        {
            // In publish mode the run writes the manifest and then stops by itself.
            await app.RunAsync(timeout.Token);
        }

        Assert.True(File.Exists(path), $"The publisher wrote no manifest at {path}.");
        var text = await File.ReadAllTextAsync(path, timeout.Token);
        folder.Delete(recursive: true);
        return new(text, JsonDocument.Parse(text), folder.FullName);
    }
}

/// <summary>The manifest's text (to search for leaked values) and its parsed resources.</summary>
public sealed record PublishedManifest(string Text, JsonDocument Document, string Folder)
{
    public JsonElement Resources => Document.RootElement.GetProperty("resources");

    public JsonElement Resource(string name)
    {
        Assert.True(Resources.TryGetProperty(name, out var resource), $"The manifest has no resource '{name}'. It has: {string.Join(", ", Names())}.");
        return resource;
    }

    public IEnumerable<string> Names() => Resources.EnumerateObject().Select(p => p.Name);

    public string Type(string name) => Resource(name).GetProperty("type").GetString()!;

    public string? Env(string resource, string variable) =>
        Resource(resource).TryGetProperty("env", out var env) && env.TryGetProperty(variable, out var value) ? value.GetString() : null;
}

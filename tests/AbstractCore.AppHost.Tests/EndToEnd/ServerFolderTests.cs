using Aspire.Hosting.ApplicationModel;

namespace AbstractCore.AppHost.Tests.EndToEnd;

/// <summary>
/// Executable mode keeps Redis's and RabbitMQ's data in a folder of its own under the temp folder; stopping the
/// AppHost removes it, once the servers have exited. Only the servers run here: the services are taken out of the model.
/// </summary>
[Collection(LocalServersCollection.Name)]
public sealed class ServerFolderTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task The_runs_server_folder_exists_while_it_runs_and_is_gone_after_it_stops()
    {
        using var timeout = new CancellationTokenSource(Budget);
        var ct = timeout.Token;
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AbstractCore_AppHost>(
            ["--Infra:Mode=executable"],
            (options, _) =>
            {
                options.DisableDashboard = true;
                options.AllowUnsecuredTransport = true;
            },
            ct);
        foreach (var project in builder.Resources.OfType<ProjectResource>().ToList())
        {
            builder.Resources.Remove(project);
        }

        var folder = builder.Resources.OfType<ExecutableResource>().Single(r => r.Name == "cache").WorkingDirectory;
        Assert.StartsWith(Path.Combine(Path.GetTempPath(), "abstractcore-apphost"), folder, StringComparison.Ordinal);

        await using var app = await builder.BuildAsync(ct);
        await app.StartAsync(ct);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("cache", ct);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("messaging", ct);

        // RabbitMQ's node keeps its database there.
        Assert.True(Directory.Exists(Path.Combine(folder, "rabbitmq", "mnesia")), $"No RabbitMQ data under {folder}.");

        await app.StopAsync(ct);

        Assert.False(Directory.Exists(folder), $"{folder} is still there after the AppHost stopped.");
        // Nothing runs from it any more that could bring it back.
        Assert.Empty(ProcessesMentioning(Path.GetFileName(folder)));
    }

    /// <summary>Command lines (from /proc) that contain <paramref name="text"/>, such as the RabbitMQ node's name.</summary>
    private static List<string> ProcessesMentioning(string text)
    {
        var found = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
        {
            try
            {
                var commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (commandLine.Contains(text, StringComparison.Ordinal))
                {
                    found.Add(commandLine);
                }
            }
            catch (IOException)
            {
                // The process ended while being read.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found;
    }
}

using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace AbstractCore.Api.Tests.Clients;

/// <summary>
/// The real Vercel AI SDK and LangChain (npm, pinned in <c>js/package.json</c> and its lock file) run by node through
/// <c>js/agent.mjs</c>, and Anthropic's TypeScript SDK through <c>js/anthropic.mjs</c>. The folder is copied to
/// ~/.cache/abstractcore/js-clients-HASH (HASH of the lock file) and installed there once with <c>npm ci</c>, which
/// <c>.ci/run</c> does ahead of the tests; never skipped: a machine without node fails.
/// </summary>
public sealed class JsAgentClients
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    private JsAgentClients(string folder) => Folder = folder;

    public string Folder { get; }

    public static string Source => Path.Combine(AppContext.BaseDirectory, "Clients", "js");

    /// <summary>The install folder for the current lock file (what .ci/run computes the same way).</summary>
    public static string InstallFolder()
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(Source, "package-lock.json"))))[..12];
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "abstractcore", $"js-clients-{hash}");
    }

    public static async Task<JsAgentClients> LocateAsync()
    {
        var folder = InstallFolder();
        await InstallLock.WaitAsync();
        try
        {
            Directory.CreateDirectory(folder);
            foreach (var file in Directory.GetFiles(Source))
            {
                File.Copy(file, Path.Combine(folder, Path.GetFileName(file)), overwrite: true);
            }

            if (!Directory.Exists(Path.Combine(folder, "node_modules", "ai")) || !Directory.Exists(Path.Combine(folder, "node_modules", "@langchain", "openai"))
                || !Directory.Exists(Path.Combine(folder, "node_modules", "@anthropic-ai", "sdk")))
            {
                var install = await CommandRun.RunAsync("npm", ["ci", "--no-audit", "--no-fund"], TimeSpan.FromMinutes(5), folder);
                if (install.ExitCode != 0)
                {
                    throw new InvalidOperationException($"npm ci in {folder} failed (exit {install.ExitCode}): {install.All}");
                }
            }
        }
        finally
        {
            InstallLock.Release();
        }

        return new JsAgentClients(folder);
    }

    /// <summary>One agent turn (<paramref name="mode"/>: plain, stream or result) of <paramref name="client"/>
    /// (ai-sdk or langchain); the JSON it printed: content, calls [{id,name,args}], finish, final.</summary>
    public Task<JsonNode> RunAsync(string client, Uri baseUrl, string token, string model, string mode) =>
        RunScriptAsync("agent.mjs", client, baseUrl.AbsoluteUri.TrimEnd('/'), token, model, mode);

    /// <summary>Runs <c>node SCRIPT ARGUMENTS</c> (a script of <c>js/</c>), which must exit 0; the JSON it printed.</summary>
    public async Task<JsonNode> RunScriptAsync(string script, params string[] arguments)
    {
        var run = await CommandRun.RunAsync("node", [Path.Combine(Folder, script), .. arguments], TimeSpan.FromMinutes(1), Folder);
        Assert.True(run.ExitCode == 0, $"node {script} {string.Join(' ', arguments)} exited with {run.ExitCode}:\n{run.All}");
        return JsonNode.Parse(run.Output)!;
    }
}

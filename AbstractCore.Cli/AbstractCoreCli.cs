using System.Diagnostics.CodeAnalysis;
using AbstractCore.Cli.Commands;
using AbstractCore.Configuration;

namespace AbstractCore.Cli;

/// <summary>
/// The <c>abstractcore</c> command line: writes provider keys and server settings into the persisted config file
/// (<see cref="ConfigFile"/>). Every value is validated before anything is written, so a bad value leaves the file
/// untouched; each change rewrites the file atomically with mode 0600. Exit codes: 0 done, 1 the file could not be
/// read or written, 2 bad usage or an invalid value. The options are in <see cref="CliOptions"/>, each command in
/// <c>Commands/</c>.
/// </summary>
[SuppressMessage("Maintainability", "CA1515", Justification = "The gateway's entry point runs it when given CLI arguments.")]
public static class AbstractCoreCli
{
    public const int ExitOk = 0;
    public const int ExitFailed = 1;
    public const int ExitUsage = 2;

    /// <summary>
    /// Whether the arguments are a CLI invocation rather than a server start: any known CLI option (also as
    /// <c>--option=value</c>), <c>-h</c>, or an unknown <c>--set-…</c>/<c>--clear-…</c>/<c>--list-…</c> option (so a typo
    /// fails instead of starting the server). The server's own <c>--host</c>, <c>--port</c>, <c>--debug</c> and
    /// <c>--KEY=value</c> settings are not claimed.
    /// </summary>
    public static bool IsCliInvocation(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return args.Any(ArgumentParser.IsCliArgument);
    }

    /// <summary>Runs the CLI. <paramref name="environment"/> stands for the process environment (used when null).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, IDictionary<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        Func<string, string?> env = environment is null
            ? Environment.GetEnvironmentVariable
            : name => environment.TryGetValue(name, out var value) ? value : null;

        if (args.Length == 0)
        {
            stderr.WriteLine("error: nothing to do.");
            stderr.Write(Usage);
            return ExitUsage;
        }

        if (!ArgumentParser.TryParse(args, out var invocations, out var parseError))
        {
            stderr.WriteLine($"error: {parseError}");
            stderr.Write(Usage);
            return ExitUsage;
        }

        if (invocations.Any(i => i.Option == CliOptions.Help))
        {
            stdout.Write(Usage);
            return ExitOk;
        }

        var changes = new List<Change>();
        var errors = new List<string>();
        foreach (var (option, values) in invocations)
        {
            if (option == CliOptions.ListApiKeys)
            {
                continue;
            }

            var (change, error) = option.Validate is { } validate
                ? validate(values, env)
                : Change.Fail($"unsupported option {option.Name}.");
            if (error is not null)
            {
                errors.Add(error);
            }
            else
            {
                changes.Add(change!);
            }
        }

        if (errors.Count > 0)
        {
            foreach (var error in errors)
            {
                stderr.WriteLine($"error: {error}");
            }

            stderr.WriteLine("Nothing was written. Run 'abstractcore --help' for usage.");
            return ExitUsage;
        }

        string path;
        ConfigFile file;
        try
        {
            path = ConfigFile.ResolvePath(env);
            file = ConfigFile.Load(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            stderr.WriteLine($"error: cannot read the config file: {e.Message}");
            return ExitFailed;
        }

        if (changes.Count > 0)
        {
            if (file.Problem is not null)
            {
                stderr.WriteLine($"warning: {path}: {file.Problem}; it is backed up and replaced.");
            }

            foreach (var change in changes)
            {
                change.Apply(file);
            }

            try
            {
                var backup = file.Save();
                if (backup is not null)
                {
                    stderr.WriteLine($"warning: the unreadable file was backed up to {backup}");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"error: cannot write the config file {path}: {e.Message}");
                return ExitFailed;
            }

            foreach (var change in changes)
            {
                stdout.WriteLine(change.Message);
            }

            stdout.WriteLine($"Saved {path} (mode 0600).");
        }
        else if (file.Problem is not null)
        {
            stderr.WriteLine($"warning: {path}: {file.Problem}; read as empty.");
        }

        if (invocations.Any(i => i.Option == CliOptions.ListApiKeys))
        {
            ListApiKeysCommand.Write(file, env, stdout);
        }

        return ExitOk;
    }

    /// <summary>The usage text.</summary>
    public static string Usage => UsageText.Text;

    /// <summary>A secret as shown: first 3 and last 4 characters (<c>sk-...abcd</c>), or <c>****</c> when shorter than 16.</summary>
    public static string Mask(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return secret.Length < 16 ? "****" : $"{secret[..3]}...{secret[^4..]}";
    }
}

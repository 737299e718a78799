namespace AbstractCore.Cli;

/// <summary>Splits the arguments into options and their values: <c>--option VALUE…</c>, <c>--option=VALUE</c> for a
/// one-value option, <c>-h</c> for <c>--help</c>.</summary>
internal static class ArgumentParser
{
    private static readonly string[] CliPrefixes = ["--set-", "--clear-", "--list-"];

    /// <summary>See <see cref="AbstractCoreCli.IsCliInvocation"/>.</summary>
    public static bool IsCliArgument(string arg) =>
        arg is "-h" ||
        CliOptions.ByName.ContainsKey(NamePart(arg)) ||
        (!arg.Contains('=', StringComparison.Ordinal) && CliPrefixes.Any(p => arg.StartsWith(p, StringComparison.Ordinal)));

    public static bool TryParse(string[] args, out List<(CliOption Option, string[] Values)> invocations, out string? error)
    {
        invocations = [];
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg == "-h")
            {
                arg = "--help";
            }

            string? inline = null;
            if (!CliOptions.ByName.TryGetValue(arg, out var option))
            {
                var eq = arg.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0 && CliOptions.ByName.TryGetValue(arg[..eq], out option) && option.Arguments.Length == 1)
                {
                    inline = arg[(eq + 1)..];
                }
                else
                {
                    error = arg.StartsWith('-') ? $"unknown option '{arg}'." : $"unexpected argument '{arg}'.";
                    return false;
                }
            }

            if (inline is not null)
            {
                invocations.Add((option, [inline]));
                continue;
            }

            var values = new string[option.Arguments.Length];
            for (var v = 0; v < values.Length; v++)
            {
                if (i + 1 >= args.Length || CliOptions.ByName.ContainsKey(NamePart(args[i + 1])) || args[i + 1] == "-h")
                {
                    error = $"{option.Name} needs {string.Join(" ", option.Arguments)}.";
                    return false;
                }

                values[v] = args[++i];
            }

            invocations.Add((option, values));
        }

        return true;
    }

    private static string NamePart(string arg)
    {
        var eq = arg.IndexOf('=', StringComparison.Ordinal);
        return eq < 0 ? arg : arg[..eq];
    }
}

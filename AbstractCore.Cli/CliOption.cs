namespace AbstractCore.Cli;

/// <summary>Checks an option's values and returns the change it makes, or why it cannot: nothing is written yet.
/// <c>env</c> reads the (process or test) environment.</summary>
internal delegate (Change? Change, string? Error) Validator(string[] values, Func<string, string?> env);

/// <summary>One option: its name, the names of its arguments (for the usage), its help line and, for an option that
/// changes the file, its <see cref="Validator"/>.</summary>
internal sealed record CliOption(string Name, string[] Arguments, string Help, Validator? Validate = null);

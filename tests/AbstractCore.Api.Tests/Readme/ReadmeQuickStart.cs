using System.Text.RegularExpressions;

namespace AbstractCore.Api.Tests.Readme;

/// <summary>The README's "Quick start" section, read from the file: its fenced blocks by language.</summary>
public sealed partial class ReadmeQuickStart
{
    /// <summary>The address every snippet uses.</summary>
    public const string Address = "http://127.0.0.1:8000";

    private ReadmeQuickStart(IReadOnlyList<(string Language, string Code)> blocks) => Blocks = blocks;

    public IReadOnlyList<(string Language, string Code)> Blocks { get; }

    /// <summary>The block that starts the gateway in front of a real provider (the demo with the AppHost is run by the
    /// browser tests, which start the AppHost).</summary>
    public string RunCommand => Single("bash", b => b.Contains("dotnet run --project AbstractCore.Api", StringComparison.Ordinal));

    public string Curl => Single("bash", b => b.TrimStart().StartsWith("curl ", StringComparison.Ordinal) && !b.Contains("onnx/demo", StringComparison.Ordinal));

    public string CSharp => Single("csharp", _ => true);

    public string Python => Single("python", _ => true);

    /// <summary>The <c>NAME=value</c> assignments in front of <c>dotnet run</c>.</summary>
    public IReadOnlyDictionary<string, string> Environment =>
        Assignment().Matches(RunCommand).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["value"].Value);

    /// <summary>The project the run command starts (<c>dotnet run --project X</c>).</summary>
    public string Project => RunProject().Match(RunCommand) is { Success: true } m ? m.Groups["project"].Value
        : throw new InvalidOperationException("The quick start's run command names no --project.");

    public static ReadmeQuickStart Load() => new(SectionBlocks("## Quick start"));

    /// <summary>The fenced blocks of the README section under <paramref name="heading"/> (up to the next heading of its level or higher).</summary>
    public static IReadOnlyList<(string Language, string Code)> SectionBlocks(string heading)
    {
        var lines = File.ReadAllLines(Path.Combine(ProjectProcess.RepositoryRoot, "README.md"));
        var start = Array.IndexOf(lines, heading);
        Assert.True(start >= 0, $"README.md has no '{heading}' section");
        var level = heading.IndexOf(' ', StringComparison.Ordinal);
        var blocks = new List<(string, string)>();
        (string Language, List<string> Lines)? open = null;
        foreach (var line in lines.Skip(start + 1))
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                if (open is { } block)
                {
                    blocks.Add((block.Language, string.Join('\n', block.Lines) + "\n"));
                    open = null;
                }
                else
                {
                    open = (line[3..].Trim(), []);
                }
            }
            else if (open is { } block)
            {
                block.Lines.Add(line);
            }
            else if (Heading().Match(line) is { Success: true } h && h.Length - 1 <= level)
            {
                break;
            }
        }

        return blocks;
    }

    private string Single(string language, Func<string, bool> match)
    {
        var found = Blocks.Where(b => b.Language == language && match(b.Code)).ToList();
        Assert.True(found.Count == 1, $"the quick start should hold exactly one such {language} block, found {found.Count}");
        return found[0].Code;
    }

    [GeneratedRegex("^#+ ")]
    private static partial Regex Heading();

    [GeneratedRegex(@"^(?<name>[A-Z][A-Z0-9_]*)=(?<value>\S+)\s*\\?$", RegexOptions.Multiline)]
    private static partial Regex Assignment();

    [GeneratedRegex(@"dotnet run --project (?<project>\S+)")]
    private static partial Regex RunProject();
}

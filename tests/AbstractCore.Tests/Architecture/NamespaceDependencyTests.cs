using System.Text.RegularExpressions;

namespace AbstractCore.Tests.Architecture;

/// <summary>
/// The library's feature folders (each its own namespace: Chat, Providers, Media, Jobs…) depend on one another in one
/// direction only, read from the sources: a <c>using AbstractCore.X</c> or an <c>AbstractCore.X.</c> name in a file
/// under folder F is an edge F → X. A cycle fails with the files that make each of its edges.
/// </summary>
public sealed partial class NamespaceDependencyTests
{
    private static readonly string Library = Path.Combine(RepositoryRoot(), "AbstractCore");

    [Fact]
    public void Feature_folders_depend_on_each_other_one_way()
    {
        var edges = Edges();
        var cycle = FindCycle(edges.Keys.Select(e => e.From).Distinct(), edges.Keys.ToLookup(e => e.From, e => e.To));

        Assert.True(cycle is null, cycle is null ? "" :
            "Namespace cycle " + string.Join(" → ", cycle) + ":\n" + string.Join("\n",
                cycle.Zip(cycle.Skip(1)).Select(e => $"  {e.First} → {e.Second}: {string.Join(", ", edges[(e.First, e.Second)].Take(3))}")));
    }

    [Fact]
    public void Chat_and_Responses_never_see_the_OpenAI_SDKs_types()
    {
        var offenders = new[] { "Chat", "Responses" }
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(Library, folder), "*.cs", SearchOption.AllDirectories))
            .Where(file => SdkReference().IsMatch(File.ReadAllText(file)))
            .Select(file => Path.GetRelativePath(Library, file));

        Assert.Empty(offenders); // the provider lifts what the SDK keeps into our own event model (Logprobs, RawFunctionCallContent)
    }

    private static Dictionary<(string From, string To), List<string>> Edges()
    {
        var folders = Directory.GetDirectories(Library).Select(Path.GetFileName).Where(n => n is not ("bin" or "obj")).ToHashSet()!;
        var edges = new Dictionary<(string, string), List<string>>();
        foreach (var from in folders)
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(Library, from!), "*.cs", SearchOption.AllDirectories))
            {
                foreach (Match m in Reference().Matches(File.ReadAllText(file)))
                {
                    var to = m.Groups["to"].Value;
                    if (to != from && folders.Contains(to))
                    {
                        (edges.TryGetValue((from!, to), out var list) ? list : edges[(from!, to)] = []).Add(Path.GetFileName(file));
                    }
                }
            }
        }

        return edges;
    }

    /// <summary>A cycle as its nodes, first node repeated at the end; null when there is none.</summary>
    private static List<string>? FindCycle(IEnumerable<string> nodes, ILookup<string, string> next)
    {
        var state = new Dictionary<string, bool>(); // false: on the current path; true: done
        var path = new List<string>();

        List<string>? Visit(string node)
        {
            if (state.TryGetValue(node, out var done))
            {
                return done ? null : [.. path.SkipWhile(n => n != node), node];
            }

            state[node] = false;
            path.Add(node);
            foreach (var to in next[node])
            {
                if (Visit(to) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[node] = true;
            return null;
        }

        return nodes.Select(Visit).FirstOrDefault(c => c is not null);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AbstractCore.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("AbstractCore.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"(?:^\s*using\s+(?:static\s+)?|\bglobal::|[^.\w])AbstractCore\.(?<to>\w+)\b", RegexOptions.Multiline)]
    private static partial Regex Reference();

    [GeneratedRegex(@"^\s*using\s+OpenAI\b|\bglobal::OpenAI\.", RegexOptions.Multiline)]
    private static partial Regex SdkReference();
}

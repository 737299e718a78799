namespace AbstractCore.Api.Tests.Routes;

/// <summary>
/// <c>Routes/route-table.md</c>, the checked-in copy of the route table: the "Served" rows (method, path, handler, auth,
/// source: <c>spec</c> for a row of the specification's endpoint table, <c>ours</c> for the gateway's own) and the
/// specification's rows this gateway does not serve. It is checked in because the specification is not.
/// </summary>
public static class RouteTableFile
{
    public const string Name = "Routes/route-table.md";

    public static IReadOnlyList<(RouteRow Row, string Source)> Served { get; } = Section("## Served")
        .Select(c => (new RouteRow(c[0], c[1], c[2], c[3]), c[4])).ToList();

    public static IReadOnlyList<string> NotServed { get; } = Section("## Not served").Select(c => $"{c[0]} {c[1]}").ToList();

    /// <summary>The table rows under one heading, as cells (the header and separator rows skipped).</summary>
    private static IEnumerable<string[]> Section(string heading) =>
        File.ReadLines(Path.Combine(AppContext.BaseDirectory, Name))
            .SkipWhile(l => l.Trim() != heading).Skip(1)
            .TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal))
            .Where(l => l.StartsWith('|'))
            .Select(l => l.Trim().Trim('|').Split('|').Select(c => c.Trim().Trim('`')).ToArray())
            .Where(c => c[0] != "Method" && !c[0].StartsWith("---", StringComparison.Ordinal));
}

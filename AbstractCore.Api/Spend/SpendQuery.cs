using System.Globalization;

namespace AbstractCore.Api.Spend;

/// <summary>The dimensions <c>GET /acore/spend</c> groups rows by; rows equal in all of them are summed.</summary>
[Flags]
internal enum SpendGroups
{
    None = 0,
    Key = 1,
    Model = 2,
    Provider = 4,
    Day = 8,
    All = Key | Model | Provider | Day,
}

/// <summary><c>GET /acore/spend</c>'s filters and grouping, read from its query; a value it cannot use is a 400 naming it.</summary>
internal sealed record SpendQuery(string? KeyId, string? Model, string? Provider, DateOnly? From, DateOnly? To, SpendGroups GroupBy)
{
    public static SpendQuery Parse(string? keyId, string? model, string? provider, string? from, string? to, string? groupBy)
    {
        var (first, last) = (Day(from, "from"), Day(to, "to"));
        if (first > last)
        {
            throw GatewayException.BadRequest("'to' must not be before 'from'.", "to");
        }

        return new SpendQuery(Blank(keyId), Blank(model), Blank(provider), first, last, Groups(groupBy));
    }

    /// <summary>The rows that pass the filters, summed by group, in order of day, key, provider and model.</summary>
    public SpendList Answer(IEnumerable<KeyValuePair<SpendRowKey, SpendCounts>> rows)
    {
        var groups = new Dictionary<(string?, string?, string?, DateOnly?), SpendCounts>();
        foreach (var (row, counts) in rows)
        {
            if (!Matches(row))
            {
                continue;
            }

            var group = (Has(SpendGroups.Key) ? row.KeyId : null, Has(SpendGroups.Provider) ? row.Provider : null,
                Has(SpendGroups.Model) ? row.Model : null, Has(SpendGroups.Day) ? row.Day : (DateOnly?)null);
            if (!groups.TryGetValue(group, out var sum))
            {
                groups[group] = sum = new SpendCounts();
            }

            sum.Add(counts);
        }

        var data = groups
            .OrderBy(g => g.Key.Item4)
            .ThenBy(g => g.Key.Item1, StringComparer.Ordinal)
            .ThenBy(g => g.Key.Item2, StringComparer.Ordinal)
            .ThenBy(g => g.Key.Item3, StringComparer.Ordinal)
            .Select(g => SpendRow.Of(g.Key.Item1, g.Key.Item2, g.Key.Item3, g.Key.Item4, g.Value))
            .ToList();
        return new SpendList(data, SpendCounts.ToUsd(groups.Values.Sum(c => c.CostNanos)));
    }

    private bool Has(SpendGroups group) => (GroupBy & group) != 0;

    /// <summary><c>model</c> names a model alone (<c>gpt-4o</c>) or with its provider (<c>openai/gpt-4o</c>).</summary>
    private bool Matches(SpendRowKey row) =>
        (KeyId is null || row.KeyId == KeyId)
        && (Provider is null || row.Provider == Provider)
        && (Model is null || row.Model == Model || $"{row.Provider}/{row.Model}" == Model);

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static DateOnly? Day(string? value, string name) => Blank(value) is not { } text ? null
        : DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day
        : throw GatewayException.BadRequest($"'{name}' must be a UTC day as YYYY-MM-DD; got '{text}'.", name);

    private static SpendGroups Groups(string? value)
    {
        var groups = SpendGroups.None;
        foreach (var part in (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            groups |= part switch
            {
                "key" => SpendGroups.Key,
                "model" => SpendGroups.Model,
                "provider" => SpendGroups.Provider,
                "day" => SpendGroups.Day,
                _ => throw GatewayException.BadRequest(
                    $"'group_by' takes key, model, provider and day, comma-separated; got '{part}'.", "group_by"),
            };
        }

        return groups == SpendGroups.None ? SpendGroups.All : groups;
    }
}

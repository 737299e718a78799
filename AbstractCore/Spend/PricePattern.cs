namespace AbstractCore.Spend;

/// <summary>
/// A price table key with <c>*</c> wildcards (<c>ollama/*</c>, <c>claude-sonnet-4*</c>), matched without case. Patterns
/// are tried most specific first: the most literal characters, then the fewest wildcards, so <c>claude-sonnet-4-5*</c>
/// prices Sonnet 4.5 although <c>claude-sonnet-4*</c> matches it too.
/// </summary>
internal sealed class PricePattern(string pattern, ModelPrice price)
{
    private readonly int _wildcards = pattern.AsSpan().Count('*');

    public string Pattern => pattern;

    public ModelPrice Price => price;

    public static bool IsGlob(string key) => key.Contains('*', StringComparison.Ordinal);

    public bool Matches(ReadOnlySpan<char> text)
    {
        var rest = pattern.AsSpan();
        var star = rest.IndexOf('*');
        if (star < 0)
        {
            return text.Equals(rest, StringComparison.OrdinalIgnoreCase);
        }

        if (!text.StartsWith(rest[..star], StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        text = text[star..];
        rest = rest[(star + 1)..];
        var last = rest.LastIndexOf('*');
        var suffix = rest[(last + 1)..];
        if (!text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        text = text[..^suffix.Length];
        rest = last < 0 ? [] : rest[..last];

        // The parts between wildcards, each at its first place after the one before: with only '*' this never needs
        // to backtrack.
        foreach (var range in rest.Split('*'))
        {
            var part = rest[range];
            var at = text.IndexOf(part, StringComparison.OrdinalIgnoreCase);
            if (at < 0)
            {
                return false;
            }

            text = text[(at + part.Length)..];
        }

        return true;
    }

    /// <summary>Sort order: most specific first, then by pattern so that the order never depends on the file's.</summary>
    public static int MostSpecificFirst(PricePattern a, PricePattern b)
    {
        var byLiterals = (b.Pattern.Length - b._wildcards).CompareTo(a.Pattern.Length - a._wildcards);
        return byLiterals != 0 ? byLiterals
            : a._wildcards != b._wildcards ? a._wildcards.CompareTo(b._wildcards)
            : StringComparer.OrdinalIgnoreCase.Compare(a.Pattern, b.Pattern);
    }
}

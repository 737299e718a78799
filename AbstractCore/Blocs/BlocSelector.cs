using System.Globalization;

namespace AbstractCore.Blocs;

/// <summary>
/// Which bloc a call names: its sha256 (trimmed and lower-cased), which wins when both are given, else its integer
/// bloc_id; neither means "all" where a route lists.
/// </summary>
public readonly record struct BlocSelector(string? Sha256, long? BlocId)
{
    public bool IsEmpty => Sha256 is null && BlocId is null;

    public bool Matches(BlocRecord record) =>
        Sha256 is not null ? record.Sha256 == Sha256 : BlocId is null || record.BlocId == BlocId;

    /// <summary>A sha256 as blocs are keyed: 64 hexadecimal digits, lower-cased; null when <paramref name="raw"/> is not one.</summary>
    public static string? NormalizeSha256(string? raw)
    {
        var sha = raw?.Trim().ToLowerInvariant();
        return sha is { Length: 64 } && sha.All(char.IsAsciiHexDigitLower) ? sha : null;
    }

    /// <summary>A bloc_id as sent (a JSON number or digits in a string): a positive integer, else null.</summary>
    public static long? ParseBlocId(string? raw) =>
        long.TryParse(raw?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0 ? id : null;
}

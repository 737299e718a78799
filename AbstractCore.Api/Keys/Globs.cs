namespace AbstractCore.Api.Keys;

/// <summary><c>*</c> matches any run of characters (slashes too), case-insensitively: <c>openai/*</c>, <c>/v1/*</c>, <c>*mini*</c>.</summary>
internal static class Globs
{
    public static bool AnyMatch(string[] globs, string value)
    {
        foreach (var glob in globs)
        {
            if (Match(glob, value))
            {
                return true;
            }
        }

        return false;
    }

    public static bool Match(ReadOnlySpan<char> glob, ReadOnlySpan<char> value)
    {
        var star = glob.IndexOf('*');
        if (star < 0)
        {
            return glob.Equals(value, StringComparison.OrdinalIgnoreCase);
        }

        if (!value.StartsWith(glob[..star], StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var rest = glob[(star + 1)..];
        for (var i = star; i <= value.Length; i++)
        {
            if (Match(rest, value[i..]))
            {
                return true;
            }
        }

        return false;
    }
}

using System.Text;
using System.Text.RegularExpressions;

namespace AbstractCore.Security;

/// <summary>
/// Python's <c>fnmatchcase</c> for host patterns: <c>*</c> any run, <c>?</c> one character, <c>[seq]</c> /
/// <c>[!seq]</c> a set; an unclosed <c>[</c> is literal. Anchored at both ends, so <c>*.example.com</c>
/// never matches <c>api.example.com.evil</c>.
/// </summary>
internal static class HostGlob
{
    public static bool HasWildcards(string pattern) => pattern.AsSpan().IndexOfAny("*?[") >= 0;

    public static Regex Compile(string pattern)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*':
                    regex.Append(".*");
                    break;
                case '?':
                    regex.Append('.');
                    break;
                case '[':
                    var close = ClosingBracket(pattern, i);
                    if (close < 0)
                    {
                        regex.Append(@"\[");
                        break;
                    }

                    regex.Append(Set(pattern[(i + 1)..close]));
                    i = close;
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        regex.Append('$');
        return new Regex(regex.ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromSeconds(1));
    }

    /// <summary>Index of the <c>]</c> closing the set opened at <paramref name="open"/>; a <c>]</c> first in the set is literal.</summary>
    private static int ClosingBracket(string pattern, int open)
    {
        var j = open + 1;
        if (j < pattern.Length && pattern[j] == '!')
        {
            j++;
        }

        if (j < pattern.Length && pattern[j] == ']')
        {
            j++;
        }

        return pattern.IndexOf(']', j);
    }

    private static string Set(string body)
    {
        var set = new StringBuilder("[");
        var start = 0;
        if (body.StartsWith('!'))
        {
            set.Append('^');
            start = 1;
        }

        for (var k = start; k < body.Length; k++)
        {
            var c = body[k];
            // '-' between two characters is a range, as in fnmatch; everything else is a literal member.
            set.Append(c == '-' && k > start && k < body.Length - 1 ? "-" : EscapeInSet(c));
        }

        return set.Append(']').ToString();
    }

    private static string EscapeInSet(char c) => c is '\\' or ']' or '[' or '^' or '-' ? "\\" + c : c.ToString();
}

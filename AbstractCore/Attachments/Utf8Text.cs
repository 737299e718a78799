using System.Text;

namespace AbstractCore.Attachments;

/// <summary>Decides whether bytes are text a model can read: strict UTF-8, no NULs, hardly any control characters.</summary>
internal static class Utf8Text
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static bool TryDecode(ReadOnlySpan<byte> bytes, out string text)
    {
        text = "";
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            bytes = bytes[3..];
        }

        try
        {
            text = Strict.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        // Binary formats are rarely valid UTF-8, but a few are (or are mostly ASCII with NULs); a NUL or more
        // than 1% stray control characters means it is not meant to be read as text.
        var stray = 0;
        foreach (var c in text)
        {
            if (c == '\0')
            {
                return false;
            }

            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r' or '\f' or '\v' or '\u001B'))
            {
                stray++;
            }
        }

        return stray <= text.Length / 100;
    }

    public static string Decode(ReadOnlySpan<byte> bytes) =>
        TryDecode(bytes, out var text) ? text : throw new FormatException("the content is not UTF-8 text");
}

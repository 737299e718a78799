using DocumentFormat.OpenXml.Packaging;

namespace AbstractCore.Attachments;

/// <summary>
/// Bounds on what an Office file may expand to. A 10 MB zip can inflate to gigabytes of XML (a zip bomb), and
/// Word and PowerPoint parts are loaded whole; a part beyond this is refused rather than read into memory.
/// </summary>
internal static class OfficeLimits
{
    /// <summary>Characters in one XML part: far more text than any model context holds.</summary>
    public const long MaxCharactersInPart = 20_000_000;

    /// <summary>Fresh per document: the SDK's settings object is mutable and not documented as safe to share.</summary>
    public static OpenSettings Settings => new() { MaxCharactersInPart = MaxCharactersInPart };

    /// <summary>Whether a failure (or one it wraps) is the part-size limit tripping.</summary>
    public static bool IsExceeded(Exception e)
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            if (current is System.Xml.XmlException && current.Message.Contains("MaxCharactersInDocument", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}

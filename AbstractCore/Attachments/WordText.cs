using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;

namespace AbstractCore.Attachments;

/// <summary>DOCX → text: paragraphs in body order (headings as Markdown), tables as rows of " | "-joined cells.</summary>
internal static class WordText
{
    public static string Extract(ReadOnlyMemory<byte> content, string name)
    {
        using var document = WordprocessingDocument.Open(MemoryStreams.ReadOnly(content), isEditable: false, OfficeLimits.Settings);
        var body = document.MainDocumentPart?.Document?.Body
            ?? throw new InvalidDataException("the document has no body");
        var lines = new List<string>();
        Walk(body, lines);
        return $"# {name}\nWord document\n\n## Content:\n{string.Join('\n', lines)}";
    }

    // Paragraphs and tables also sit inside content controls and custom XML, so anything else is walked into.
    private static void Walk(OpenXmlElement parent, List<string> lines)
    {
        foreach (var element in parent.ChildElements)
        {
            switch (element)
            {
                case Paragraph paragraph:
                    var text = ParagraphText(paragraph);
                    if (text.Length > 0)
                    {
                        lines.Add(HeadingPrefix(paragraph) + text);
                    }

                    break;
                case Table table:
                    foreach (var row in table.Elements<TableRow>())
                    {
                        var cells = row.Elements<TableCell>().Select(CellText).ToList();
                        if (cells.Any(c => c.Length > 0))
                        {
                            lines.Add(string.Join(" | ", cells));
                        }
                    }

                    break;
                default:
                    Walk(element, lines);
                    break;
            }
        }
    }

    private static string CellText(TableCell cell) =>
        string.Join(" ", cell.Descendants<Paragraph>().Select(ParagraphText).Where(t => t.Length > 0));

    /// <summary>Runs' text with tabs and breaks kept (InnerText would glue "a" + tab + "b" into "ab").</summary>
    private static string ParagraphText(Paragraph paragraph)
    {
        var builder = new StringBuilder();
        foreach (var element in paragraph.Descendants())
        {
            switch (element)
            {
                case Text text:
                    builder.Append(text.Text);
                    break;
                case TabChar:
                    builder.Append('\t');
                    break;
                case Break or CarriageReturn:
                    builder.Append('\n');
                    break;
            }
        }

        return builder.ToString().Trim();
    }

    /// <summary>"Heading2" style → "## ", so the model sees the document's outline.</summary>
    private static string HeadingPrefix(Paragraph paragraph)
    {
        var style = paragraph.ParagraphProperties?.ParagraphStyleId?.Val?.Value;
        if (style is null)
        {
            return "";
        }

        if (style.Equals("Title", StringComparison.OrdinalIgnoreCase))
        {
            return "# ";
        }

        return style.StartsWith("Heading", StringComparison.OrdinalIgnoreCase) &&
               int.TryParse(style.AsSpan(7), out var level) && level is >= 1 and <= 6
            ? new string('#', level) + " "
            : "";
    }
}

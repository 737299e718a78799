using System.Text;
using UglyToad.PdfPig;
using UglyToad.PdfPig.DocumentLayoutAnalysis.TextExtractor;

namespace AbstractCore.Attachments;

/// <summary>PDF → text, page by page, in content order (the order the producer wrote it, usually reading order).</summary>
internal static class PdfText
{
    public static string Extract(ReadOnlyMemory<byte> content, string name)
    {
        // Lenient, as pypdf (the original's reader) is: real-world PDFs often have off-by-a-few xref offsets that a
        // strict parser refuses. Files that are not PDFs at all still fail (no xref can be found or rebuilt).
        using var document = PdfDocument.Open(content, new ParsingOptions { UseLenientParsing = true });
        var builder = new StringBuilder();
        builder.Append("# ").Append(name).Append('\n')
            .Append("PDF document with ").Append(document.NumberOfPages).Append(document.NumberOfPages == 1 ? " page" : " pages");
        foreach (var page in document.GetPages())
        {
            var text = ContentOrderTextExtractor.GetText(page).Trim();
            builder.Append("\n\n## Page ").Append(page.Number).Append('\n')
                .Append(text.Length > 0 ? text : "(no extractable text on this page; it may be a scanned image)");
        }

        return builder.ToString();
    }
}

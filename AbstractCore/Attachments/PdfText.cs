using System.Text;
using UglyToad.PdfPig;
using UglyToad.PdfPig.DocumentLayoutAnalysis.TextExtractor;

namespace AbstractCore.Attachments;

/// <summary>PDF → text, page by page, in content order (the order the producer wrote it, usually reading order).</summary>
internal static class PdfText
{
    public static string Extract(ReadOnlyMemory<byte> content, string name)
    {
        // Strict parsing: a lenient parser "repairs" junk into an empty document, and an empty document would
        // reach the model as if the file had no text instead of failing with a message naming it.
        using var document = PdfDocument.Open(content, new ParsingOptions { UseLenientParsing = false });
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

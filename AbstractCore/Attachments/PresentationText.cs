using System.Text;
using DocumentFormat.OpenXml.Packaging;
using Drawing = DocumentFormat.OpenXml.Drawing;

namespace AbstractCore.Attachments;

/// <summary>PPTX → text: each slide in presentation order as "## Slide N", then its paragraphs.</summary>
internal static class PresentationText
{
    public static string Extract(ReadOnlyMemory<byte> content, string name)
    {
        using var document = PresentationDocument.Open(MemoryStreams.ReadOnly(content), isEditable: false, OfficeLimits.Settings);
        var presentationPart = document.PresentationPart ?? throw new InvalidDataException("the package has no presentation");
        var slideIds = presentationPart.Presentation?.SlideIdList?.Elements<DocumentFormat.OpenXml.Presentation.SlideId>().ToList() ?? [];
        var builder = new StringBuilder();
        builder.Append("# ").Append(name).Append("\nPowerPoint presentation with ")
            .Append(slideIds.Count).Append(slideIds.Count == 1 ? " slide" : " slides");
        var number = 0;
        foreach (var slideId in slideIds)
        {
            number++;
            builder.Append("\n\n## Slide ").Append(number);
            // The slide list (not the part order in the zip) is the order the audience sees.
            if (slideId.RelationshipId?.Value is not { } relationship ||
                presentationPart.GetPartById(relationship) is not SlidePart slidePart)
            {
                continue;
            }

            foreach (var paragraph in slidePart.Slide?.Descendants<Drawing.Paragraph>() ?? [])
            {
                var text = ParagraphText(paragraph);
                if (text.Length > 0)
                {
                    builder.Append('\n').Append(text);
                }
            }
        }

        return builder.ToString();
    }

    // A soft line break (a:br) separates words as surely as a space does; plain concatenation would glue them.
    private static string ParagraphText(Drawing.Paragraph paragraph)
    {
        var builder = new StringBuilder();
        foreach (var element in paragraph.Descendants())
        {
            if (element is Drawing.Text text)
            {
                builder.Append(text.Text);
            }
            else if (element is Drawing.Break)
            {
                builder.Append('\n');
            }
        }

        return builder.ToString().Trim();
    }
}

using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using UglyToad.PdfPig.Exceptions;

namespace AbstractCore.Attachments;

/// <summary>
/// Document bytes → the text the model reads (§8.2's layout: a heading, a summary line, then the content).
/// Every parser failure becomes a 400 naming the file, so nothing is dropped without the client knowing.
/// </summary>
internal static class DocumentExtractor
{
    /// <summary>Rows kept per CSV/TSV file and per spreadsheet sheet (the original's pandas limit).</summary>
    public const int MaxRows = 10_000;

    private const int MaxReasonLength = 200;

    private static readonly JsonWriterOptions PrettyJson = new()
    {
        Indented = true,
        // The text goes to a model, not a browser: "é" and "<" read better than \u00E9 and \u003C.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Extract(ReadOnlyMemory<byte> content, FileKind kind, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (kind.IsImage())
        {
            throw new ArgumentException($"{kind} is an image; images are sent to the model, not extracted.", nameof(kind));
        }

        if (!kind.IsDocument())
        {
            throw AttachmentErrors.NotAllowed(name, FileKinds.ExtensionOf(name));
        }

        try
        {
            return kind switch
            {
                FileKind.Pdf => PdfText.Extract(content, name),
                FileKind.Docx => WordText.Extract(content, name),
                FileKind.Xlsx => SpreadsheetText.Extract(content, name, MaxRows),
                FileKind.Pptx => PresentationText.Extract(content, name),
                FileKind.Csv => Delimited(Utf8Text.Decode(content.Span), ',', "CSV", name),
                FileKind.Tsv => Delimited(Utf8Text.Decode(content.Span), '\t', "TSV", name),
                FileKind.Json => Json(content, name),
                FileKind.Xml => WithStatistics("XML Content", Utf8Text.Decode(content.Span)),
                FileKind.Markdown => WithStatistics("Markdown Content", Utf8Text.Decode(content.Span)),
                _ => WithStatistics("Text Content", Utf8Text.Decode(content.Span)),
            };
        }
        catch (PdfDocumentEncryptedException)
        {
            throw AttachmentErrors.Unreadable(name, "the PDF is encrypted (password-protected); send an unprotected copy");
        }
        catch (Exception e) when (OfficeLimits.IsExceeded(e))
        {
            throw AttachmentErrors.Unreadable(name,
                $"the {kind.Label()} expands to more than {OfficeLimits.MaxCharactersInPart:N0} characters in one part; send a smaller file");
        }
        catch (Exception e) when (e is not (GatewayException or OutOfMemoryException or OperationCanceledException))
        {
            // Parsers throw all sorts (format, zip, XML, index errors on malformed input); all mean "broken file".
            throw AttachmentErrors.Unreadable(name, $"not a valid {kind.Label()} ({Shorten(e.Message)})");
        }
    }

    /// <summary>"# Text Content\nDocument Statistics: N words, M lines\n\n## Content:\n…" (observed, §8.2).</summary>
    private static string WithStatistics(string heading, string text)
    {
        text = NormalizeNewlines(text);
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        return $"# {heading}\nDocument Statistics: {words} words, {LineCount(text)} lines\n\n## Content:\n{text.TrimEnd('\n')}";
    }

    private static string Delimited(string text, char delimiter, string label, string name)
    {
        var rows = Csv.Parse(text, delimiter, MaxRows, out var more);
        var columns = rows.Count == 0 ? 0 : rows.Max(r => r.Count);
        var builder = new StringBuilder();
        builder.Append("# ").Append(name).Append('\n')
            .Append(label).Append(" data with ").Append(rows.Count + more).Append(" rows and ").Append(columns).Append(" columns")
            .Append("\n\n## Content:");
        foreach (var row in rows)
        {
            // Re-written rather than passed through: line endings, quoting and the row cap come out uniform.
            builder.Append('\n').Append(delimiter == ','
                ? string.Join(',', row.Select(Csv.Quote))
                : string.Join('\t', row.Select(f => f.ReplaceLineEndings(" ").Replace('\t', ' '))));
        }

        if (more > 0)
        {
            builder.Append("\n(").Append(more).Append(" more rows not shown; the limit is ").Append(MaxRows).Append(" rows)");
        }

        return builder.ToString();
    }

    /// <summary>"# NAME\nJSON object with N keys\n\n## Content:\n&lt;pretty JSON&gt;" (observed, §8.2).</summary>
    private static string Json(ReadOnlyMemory<byte> content, string name)
    {
        using var document = JsonDocument.Parse(Utf8Text.Decode(content.Span));
        var root = document.RootElement;
        var summary = root.ValueKind switch
        {
            JsonValueKind.Object => $"JSON object with {root.EnumerateObject().Count()} keys",
            JsonValueKind.Array => $"JSON array with {root.GetArrayLength()} items",
            _ => $"JSON {root.ValueKind.ToString().ToLowerInvariant()} value",
        };

        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, PrettyJson))
        {
            root.WriteTo(writer);
        }

        return $"# {name}\n{summary}\n\n## Content:\n{Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length)}";
    }

    private static string NormalizeNewlines(string text) => text.ReplaceLineEndings("\n");

    /// <summary>Lines as Python's splitlines counts them: a trailing newline does not start another line.</summary>
    private static int LineCount(string text)
    {
        if (text.Length == 0)
        {
            return 0;
        }

        var count = text.Count(c => c == '\n') + 1;
        return text[^1] == '\n' ? count - 1 : count;
    }

    private static string Shorten(string message)
    {
        var oneLine = message.ReplaceLineEndings(" ").Trim();
        return oneLine.Length <= MaxReasonLength ? oneLine : oneLine[..MaxReasonLength] + "…";
    }
}

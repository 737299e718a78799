namespace AbstractCore.Attachments;

/// <summary>What an attachment is, as told by its bytes (see <see cref="FileKindDetector"/>).</summary>
public enum FileKind
{
    Unsupported,
    Png,
    Jpeg,
    Gif,
    Webp,
    Bmp,
    Tiff,
    Pdf,
    Docx,
    Xlsx,
    Pptx,
    Csv,
    Tsv,
    Json,
    Xml,
    Markdown,
    Text,
}

/// <summary>Facts about each <see cref="FileKind"/>: images go to the model as they are, the rest become text.</summary>
internal static class FileKinds
{
    public static bool IsImage(this FileKind kind) => kind is >= FileKind.Png and <= FileKind.Tiff;

    /// <summary>Kinds whose text is extracted and inlined into the user turn.</summary>
    public static bool IsDocument(this FileKind kind) => kind is >= FileKind.Pdf and <= FileKind.Text;

    /// <summary>Kinds that are plain UTF-8 text, where only the name or declared MIME tells them apart.</summary>
    public static bool IsText(this FileKind kind) => kind is >= FileKind.Csv and <= FileKind.Text;

    public static string MimeType(this FileKind kind) => kind switch
    {
        FileKind.Png => "image/png",
        FileKind.Jpeg => "image/jpeg",
        FileKind.Gif => "image/gif",
        FileKind.Webp => "image/webp",
        FileKind.Bmp => "image/bmp",
        FileKind.Tiff => "image/tiff",
        FileKind.Pdf => "application/pdf",
        FileKind.Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        FileKind.Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        FileKind.Pptx => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        FileKind.Csv => "text/csv",
        FileKind.Tsv => "text/tab-separated-values",
        FileKind.Json => "application/json",
        FileKind.Xml => "application/xml",
        FileKind.Markdown => "text/markdown",
        FileKind.Text => "text/plain",
        _ => "application/octet-stream",
    };

    /// <summary>The extension the original used for this kind (§2.7's allowed list; <c>.bin</c> is never allowed).</summary>
    public static string Extension(this FileKind kind) => kind switch
    {
        FileKind.Png => ".png",
        FileKind.Jpeg => ".jpg",
        FileKind.Gif => ".gif",
        FileKind.Webp => ".webp",
        FileKind.Bmp => ".bmp",
        FileKind.Tiff => ".tiff",
        FileKind.Pdf => ".pdf",
        FileKind.Docx => ".docx",
        FileKind.Xlsx => ".xlsx",
        FileKind.Pptx => ".pptx",
        FileKind.Csv => ".csv",
        FileKind.Tsv => ".tsv",
        FileKind.Json => ".json",
        FileKind.Xml => ".xml",
        FileKind.Markdown => ".md",
        FileKind.Text => ".txt",
        _ => ".bin",
    };

    /// <summary>A name for messages ("not a valid PDF document").</summary>
    public static string Label(this FileKind kind) => kind switch
    {
        FileKind.Pdf => "PDF document",
        FileKind.Docx => "Word document",
        FileKind.Xlsx => "Excel workbook",
        FileKind.Pptx => "PowerPoint presentation",
        FileKind.Csv => "CSV file",
        FileKind.Tsv => "TSV file",
        FileKind.Json => "JSON file",
        FileKind.Xml => "XML file",
        FileKind.Markdown => "Markdown file",
        FileKind.Text => "text file",
        FileKind.Unsupported => "file",
        _ => kind.ToString().ToUpperInvariant() + " image",
    };

    /// <summary>
    /// The kind a file claims to be by its name's extension, else by its declared MIME type. Only a claim:
    /// it chooses among text kinds and words error messages, never overrides the bytes.
    /// </summary>
    public static FileKind Claimed(string? name, string? declaredMime)
    {
        var byName = FromExtension(ExtensionOf(name));
        return byName != FileKind.Unsupported ? byName : FromMime(declaredMime);
    }

    /// <summary>The lower-case extension of <paramref name="name"/> with its dot, or null when it has none.</summary>
    public static string? ExtensionOf(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        // Names may be URLs or paths: only the last segment counts, and a query string is not an extension.
        var end = name.IndexOfAny(['?', '#']);
        var trimmed = end >= 0 ? name[..end] : name;
        var ext = Path.GetExtension(trimmed);
        return string.IsNullOrEmpty(ext) || ext.Length == 1 ? null : ext.ToLowerInvariant();
    }

    public static FileKind FromExtension(string? ext) => ext switch
    {
        ".png" => FileKind.Png,
        ".jpg" or ".jpeg" => FileKind.Jpeg,
        ".gif" => FileKind.Gif,
        ".webp" => FileKind.Webp,
        ".bmp" => FileKind.Bmp,
        ".tif" or ".tiff" => FileKind.Tiff,
        ".pdf" => FileKind.Pdf,
        ".docx" => FileKind.Docx,
        ".xlsx" => FileKind.Xlsx,
        ".pptx" => FileKind.Pptx,
        ".csv" => FileKind.Csv,
        ".tsv" or ".tab" => FileKind.Tsv,
        ".json" => FileKind.Json,
        ".xml" => FileKind.Xml,
        ".md" or ".markdown" => FileKind.Markdown,
        ".txt" or ".text" or ".log" => FileKind.Text,
        _ => FileKind.Unsupported,
    };

    public static FileKind FromMime(string? mime)
    {
        if (string.IsNullOrWhiteSpace(mime))
        {
            return FileKind.Unsupported;
        }

        var semicolon = mime.IndexOf(';', StringComparison.Ordinal);
        var bare = (semicolon >= 0 ? mime[..semicolon] : mime).Trim().ToLowerInvariant();
        return bare switch
        {
            "image/png" => FileKind.Png,
            "image/jpeg" or "image/jpg" => FileKind.Jpeg,
            "image/gif" => FileKind.Gif,
            "image/webp" => FileKind.Webp,
            "image/bmp" or "image/x-ms-bmp" => FileKind.Bmp,
            "image/tiff" => FileKind.Tiff,
            "application/pdf" => FileKind.Pdf,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => FileKind.Docx,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => FileKind.Xlsx,
            "application/vnd.openxmlformats-officedocument.presentationml.presentation" => FileKind.Pptx,
            "text/csv" => FileKind.Csv,
            "text/tab-separated-values" => FileKind.Tsv,
            "application/json" or "text/json" => FileKind.Json,
            "application/xml" or "text/xml" => FileKind.Xml,
            "text/markdown" or "text/x-markdown" => FileKind.Markdown,
            "text/plain" => FileKind.Text,
            _ => FileKind.Unsupported,
        };
    }
}

using System.IO.Compression;
using System.Text.Json;
using System.Xml;

namespace AbstractCore.Attachments;

/// <summary>
/// Tells what a file is from its bytes. Names and declared MIME types are client-supplied and often wrong
/// (a PNG saved as <c>.pdf</c>, everything sent as <c>application/octet-stream</c>), so they only choose
/// among text kinds, which bytes cannot tell apart.
/// </summary>
internal static class FileKindDetector
{
    private static ReadOnlySpan<byte> PngMagic => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static ReadOnlySpan<byte> JpegMagic => [0xFF, 0xD8, 0xFF];
    private static ReadOnlySpan<byte> TiffLittle => [0x49, 0x49, 0x2A, 0x00];
    private static ReadOnlySpan<byte> TiffBig => [0x4D, 0x4D, 0x00, 0x2A];
    private static ReadOnlySpan<byte> ZipMagic => [0x50, 0x4B, 0x03, 0x04];

    public static FileKind Detect(ReadOnlyMemory<byte> content, string? name = null, string? declaredMime = null)
    {
        var bytes = content.Span;
        if (bytes.IsEmpty)
        {
            // No bytes, nothing to tell; an empty attachment is a client mistake worth a clear 400.
            return FileKind.Unsupported;
        }

        if (bytes.StartsWith(PngMagic))
        {
            return FileKind.Png;
        }

        if (bytes.StartsWith(JpegMagic))
        {
            return FileKind.Jpeg;
        }

        if (bytes.StartsWith("GIF87a"u8) || bytes.StartsWith("GIF89a"u8))
        {
            return FileKind.Gif;
        }

        if (bytes.Length >= 12 && bytes.StartsWith("RIFF"u8) && bytes[8..12].SequenceEqual("WEBP"u8))
        {
            return FileKind.Webp;
        }

        if (IsBmp(bytes))
        {
            return FileKind.Bmp;
        }

        if (bytes.StartsWith(TiffLittle) || bytes.StartsWith(TiffBig))
        {
            return FileKind.Tiff;
        }

        // The header may follow a few junk bytes (the PDF spec tolerates up to 1024); looking further would
        // take text that merely mentions %PDF- for a PDF.
        if (bytes[..Math.Min(bytes.Length, 1024)].IndexOf("%PDF-"u8) >= 0)
        {
            return FileKind.Pdf;
        }

        if (bytes.StartsWith(ZipMagic))
        {
            return OfficeKind(content);
        }

        return TextKind(content, name, declaredMime);
    }

    // "BM" alone is too weak (a text file may start with "BMW"): the two reserved header words must be zero
    // and the pixel offset must fall inside the file.
    private static bool IsBmp(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 26 || !bytes.StartsWith("BM"u8))
        {
            return false;
        }

        var reservedZero = bytes[6] == 0 && bytes[7] == 0 && bytes[8] == 0 && bytes[9] == 0;
        var pixelOffset = BitConverter.ToUInt32(bytes[10..14]);
        return reservedZero && pixelOffset >= 26 && pixelOffset <= (uint)bytes.Length;
    }

    /// <summary>OOXML packages are zips told apart by their main folder; any other zip is not a document.</summary>
    private static FileKind OfficeKind(ReadOnlyMemory<byte> content)
    {
        try
        {
            using var zip = new ZipArchive(MemoryStreams.ReadOnly(content), ZipArchiveMode.Read);
            var hasContentTypes = false;
            bool word = false, excel = false, powerPoint = false;
            foreach (var entry in zip.Entries)
            {
                var path = entry.FullName;
                hasContentTypes |= path == "[Content_Types].xml";
                word |= path.StartsWith("word/", StringComparison.Ordinal);
                excel |= path.StartsWith("xl/", StringComparison.Ordinal);
                powerPoint |= path.StartsWith("ppt/", StringComparison.Ordinal);
            }

            return !hasContentTypes ? FileKind.Unsupported
                : word ? FileKind.Docx
                : excel ? FileKind.Xlsx
                : powerPoint ? FileKind.Pptx
                : FileKind.Unsupported;
        }
        catch (InvalidDataException)
        {
            return FileKind.Unsupported;
        }
    }

    private static FileKind TextKind(ReadOnlyMemory<byte> content, string? name, string? declaredMime)
    {
        if (!Utf8Text.TryDecode(content.Span, out var text))
        {
            return FileKind.Unsupported;
        }

        var claimed = FileKinds.Claimed(name, declaredMime);
        var start = text.AsSpan().TrimStart();
        if ((claimed == FileKind.Json || start.StartsWith("{") || start.StartsWith("[")) && IsJson(text))
        {
            return FileKind.Json;
        }

        if (start.StartsWith("<?xml", StringComparison.OrdinalIgnoreCase) || (start.StartsWith("<") && IsXml(text)))
        {
            return FileKind.Xml;
        }

        // JSON or XML that does not parse is still readable text; the bytes have the last word.
        return claimed is FileKind.Csv or FileKind.Tsv or FileKind.Markdown ? claimed : FileKind.Text;
    }

    private static bool IsJson(string text)
    {
        try
        {
            using var _ = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool IsXml(string text)
    {
        // DTDs are refused, so no entity is ever expanded or fetched while sniffing.
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };
        try
        {
            using var reader = XmlReader.Create(new StringReader(text), settings);
            while (reader.Read())
            {
            }

            return true;
        }
        catch (XmlException)
        {
            return false;
        }
    }
}

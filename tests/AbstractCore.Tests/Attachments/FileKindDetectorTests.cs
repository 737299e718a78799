using System.Text;
using AbstractCore.Attachments;
using AbstractCore.TestKit.Documents;

namespace AbstractCore.Tests.Attachments;

/// <summary>The bytes decide; names and declared MIME types only choose among text kinds.</summary>
public sealed class FileKindDetectorTests
{
    public static TheoryData<string, string?, string?, FileKind> Cases()
    {
        var data = new TheoryData<string, string?, string?, FileKind>
        {
            // Images, whatever they are called.
            { "png", "report.pdf", "application/pdf", FileKind.Png },
            { "jpeg", "notes.txt", "text/plain", FileKind.Jpeg },
            { "gif", "a.csv", null, FileKind.Gif },
            { "webp", null, "application/octet-stream", FileKind.Webp },
            { "bmp", "x.json", null, FileKind.Bmp },
            { "tiff-le", "scan", null, FileKind.Tiff },
            { "tiff-be", "scan.tif", null, FileKind.Tiff },
            // Documents, whatever they are called.
            { "pdf", "photo.png", "image/png", FileKind.Pdf },
            { "pdf-after-junk", "x.pdf", null, FileKind.Pdf },
            { "docx", "sheet.xlsx", null, FileKind.Docx },
            { "xlsx", "letter.docx", null, FileKind.Xlsx },
            { "pptx", "archive.zip", "application/zip", FileKind.Pptx },
            { "plain-zip", "report.docx", null, FileKind.Unsupported },
            // Text: structure from the bytes, the rest from the name or MIME.
            { "json-object", "data.txt", "text/plain", FileKind.Json },
            { "json-array", null, null, FileKind.Json },
            { "json-scalar", "value.json", null, FileKind.Json },
            { "json-scalar", "value.txt", null, FileKind.Text },
            { "broken-json", "data.json", "application/json", FileKind.Text },
            { "xml-declaration", "feed.txt", null, FileKind.Xml },
            { "xml-root", "page.md", null, FileKind.Xml },
            { "csv", "table.csv", null, FileKind.Csv },
            { "csv", "table.md", null, FileKind.Markdown },
            { "csv", "table.tsv", null, FileKind.Tsv },
            { "csv", "table", "text/csv; charset=utf-8", FileKind.Csv },
            { "csv", null, "text/tab-separated-values", FileKind.Tsv },
            { "csv", "https://files.example/table.csv?sig=abc", null, FileKind.Csv },
            { "csv", "table.pdf", "application/pdf", FileKind.Text },
            { "csv", null, null, FileKind.Text },
            { "bmw", "cars.txt", null, FileKind.Text },
            { "mentions-pdf-late", "notes.md", null, FileKind.Markdown },
            { "bom-text", "notes.txt", null, FileKind.Text },
            // Not readable.
            { "random", "data.bin", null, FileKind.Unsupported },
            { "nul-text", "notes.txt", "text/plain", FileKind.Unsupported },
            { "latin1", "notes.txt", null, FileKind.Unsupported },
            { "empty", "notes.txt", null, FileKind.Unsupported },
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Detects_from_bytes(string sample, string? name, string? mime, FileKind expected) =>
        Assert.Equal(expected, FileKindDetector.Detect(Sample(sample), name, mime));

    [Theory]
    [InlineData(FileKind.Png, "image/png")]
    [InlineData(FileKind.Jpeg, "image/jpeg")]
    [InlineData(FileKind.Gif, "image/gif")]
    [InlineData(FileKind.Webp, "image/webp")]
    [InlineData(FileKind.Bmp, "image/bmp")]
    [InlineData(FileKind.Tiff, "image/tiff")]
    public void Images_carry_their_mime_type(FileKind kind, string mime)
    {
        Assert.True(kind.IsImage());
        Assert.False(kind.IsDocument());
        Assert.Equal(mime, kind.MimeType());
    }

    internal static byte[] Sample(string sample) => sample switch
    {
        "png" => TestDocuments.Png(),
        "jpeg" => TestDocuments.JpegHeader(),
        "gif" => [.. "GIF89a"u8, 1, 0, 1, 0, 0, 0, 0],
        "webp" => [.. "RIFF"u8, 0x1A, 0, 0, 0, .. "WEBPVP8 "u8, 0, 0, 0, 0],
        "bmp" => Bmp(),
        "tiff-le" => [0x49, 0x49, 0x2A, 0x00, 8, 0, 0, 0],
        "tiff-be" => [0x4D, 0x4D, 0x00, 0x2A, 0, 0, 0, 8],
        "pdf" => TestDocuments.Pdf(["Hello"]),
        "pdf-after-junk" => [.. "\r\n  "u8, .. TestDocuments.Pdf(["Hello"])],
        "docx" => TestDocuments.Docx(["Hello"]),
        "xlsx" => TestDocuments.Xlsx(("S", [["Hello"]])),
        "pptx" => TestDocuments.Pptx(["Hello"]),
        "plain-zip" => TestDocuments.PlainZip(),
        "json-object" => """ {"a": 1} """u8.ToArray(),
        "json-array" => "[1,2]"u8.ToArray(),
        "json-scalar" => "42"u8.ToArray(),
        "broken-json" => """{"a": 1"""u8.ToArray(),
        "xml-declaration" => "<?xml version=\"1.0\"?><rss/>"u8.ToArray(),
        "xml-root" => "<note><to>Ann</to></note>"u8.ToArray(),
        "csv" => "a,b\n1,2\n"u8.ToArray(),
        "bmw" => "BMW makes cars and motorbikes; this sentence is long enough to fill a header."u8.ToArray(),
        "mentions-pdf-late" => Encoding.UTF8.GetBytes(new string('x', 1100) + " %PDF-1.7"),
        "bom-text" => [0xEF, 0xBB, 0xBF, .. "plain words"u8],
        "random" => Random(),
        "nul-text" => "abc\0def"u8.ToArray(),
        "latin1" => Encoding.Latin1.GetBytes("caf\u00e9 cr\u00e8me"),
        "empty" => [],
        _ => throw new ArgumentOutOfRangeException(nameof(sample)),
    };

    private static byte[] Bmp()
    {
        // File header (14 bytes) + BITMAPINFOHEADER start; pixel data begins at 54.
        var bytes = new byte[58];
        bytes[0] = (byte)'B';
        bytes[1] = (byte)'M';
        BitConverter.TryWriteBytes(bytes.AsSpan(2), 58);
        BitConverter.TryWriteBytes(bytes.AsSpan(10), 54);
        BitConverter.TryWriteBytes(bytes.AsSpan(14), 40);
        return bytes;
    }

    private static byte[] Random()
    {
        var bytes = new byte[512];
        new Random(42).NextBytes(bytes);
        bytes[0] = 0xC3; // not a signature of anything
        bytes[1] = 0x28; // and an invalid UTF-8 sequence straight away
        return bytes;
    }
}

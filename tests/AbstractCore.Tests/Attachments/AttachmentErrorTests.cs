using AbstractCore.Attachments;
using AbstractCore.TestKit.Documents;

namespace AbstractCore.Tests.Attachments;

/// <summary>Every unreadable or forbidden attachment is a 400 that names the file; none is dropped.</summary>
public sealed class AttachmentErrorTests
{
    private static GatewayException Fails(byte[] bytes, string name, string? mime = null)
    {
        var error = Assert.Throws<GatewayException>(() => AttachmentReader.Read(bytes, name, mime));
        Assert.Equal(400, error.Status);
        Assert.Equal("media_error", error.Type);
        Assert.Contains($"'{name}'", error.Message, StringComparison.Ordinal);
        return error;
    }

    [Fact]
    public void Corrupt_pdf()
    {
        var error = Fails("%PDF-1.7\nthis is not a pdf at all\n"u8.ToArray(), "report.pdf");

        Assert.StartsWith("Could not read attachment 'report.pdf': not a valid PDF document (", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_pdf()
    {
        var pdf = TestDocuments.Pdf(["Hello world"]);

        var error = Fails(pdf[..(pdf.Length / 2)], "half.pdf");

        Assert.StartsWith("Could not read attachment 'half.pdf': not a valid PDF document", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Encrypted_pdf()
    {
        var error = Fails(TestDocuments.EncryptedPdf(), "secret.pdf");

        Assert.Equal("Could not read attachment 'secret.pdf': the PDF is encrypted (password-protected); send an unprotected copy",
            error.Message);
    }

    [Fact]
    public void Zip_that_is_not_an_office_document()
    {
        var error = Fails(TestDocuments.PlainZip(), "letter.docx");

        Assert.Equal("Could not read attachment 'letter.docx': the content is not a valid Word document", error.Message);
    }

    [Fact]
    public void Office_package_with_a_broken_part()
    {
        var error = Fails(TestDocuments.BrokenDocx(), "broken.docx");

        Assert.StartsWith("Could not read attachment 'broken.docx': not a valid Word document (", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Office_part_that_inflates_beyond_the_limit()
    {
        // About 20 MB of XML that compresses to a few kilobytes: a zip bomb in miniature.
        var docx = TestDocuments.Docx([new string('a', 20_000_001)]);
        Assert.True(docx.Length < 1_000_000);

        var error = Fails(docx, "bomb.docx");

        Assert.Equal("Could not read attachment 'bomb.docx': the Word document expands to more than 20,000,000 characters in one part; " +
            "send a smaller file", error.Message);
    }

    [Fact]
    public void Truncated_xlsx()
    {
        var xlsx = TestDocuments.Xlsx(("S", [["a", 1]]));

        var error = Fails(xlsx[..(xlsx.Length - 40)], "cut.xlsx");

        Assert.StartsWith("Could not read attachment 'cut.xlsx': ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Binary_junk_claiming_a_document_type()
    {
        var error = Fails(FileKindDetectorTests.Sample("random"), "data.pdf");

        Assert.Equal("Could not read attachment 'data.pdf': the content is not a valid PDF document", error.Message);
    }

    [Fact]
    public void Binary_junk_claiming_an_image_type_by_mime()
    {
        var error = Fails(FileKindDetectorTests.Sample("random"), "upload", "image/png");

        Assert.Equal("Could not read attachment 'upload': the content is not a valid PNG image", error.Message);
    }

    [Theory]
    [InlineData("tool.exe", ".exe")]
    [InlineData("blob", ".bin")]
    [InlineData("archive.zip", ".zip")]
    public void Unsupported_type(string name, string extension)
    {
        var bytes = name == "archive.zip" ? TestDocuments.PlainZip() : FileKindDetectorTests.Sample("random");

        var error = Fails(bytes, name);

        Assert.StartsWith($"File type {extension} not allowed (attachment '{name}').", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_file()
    {
        var error = Fails([], "empty.txt");

        Assert.Equal("Could not read attachment 'empty.txt': the file is empty", error.Message);
    }

    [Fact]
    public void Extracting_an_unsupported_kind_is_refused_with_the_name()
    {
        var error = Assert.Throws<GatewayException>(() => DocumentExtractor.Extract(new byte[] { 1, 2 }, FileKind.Unsupported, "x.exe"));

        Assert.StartsWith("File type .exe not allowed (attachment 'x.exe').", error.Message, StringComparison.Ordinal);
    }
}

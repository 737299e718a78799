using AbstractCore.TestKit.Documents;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Validation;
using UglyToad.PdfPig;

namespace AbstractCore.Tests.Attachments;

/// <summary>The test documents are real: the SDK's schema validator and PdfPig's reader accept them.</summary>
public sealed class TestDocumentsTests
{
    private static void AssertValid(OpenXmlPackage package)
    {
        var errors = new OpenXmlValidator().Validate(package).Select(e => $"{e.Path?.XPath}: {e.Description}").ToList();
        Assert.True(errors.Count == 0, string.Join('\n', errors));
    }

    [Fact]
    public void Docx_is_schema_valid()
    {
        using var document = WordprocessingDocument.Open(new MemoryStream(TestDocuments.Docx(["p"], [["a", "b"]], ["q"])), false);
        AssertValid(document);
    }

    [Fact]
    public void Xlsx_is_schema_valid()
    {
        using var document = SpreadsheetDocument.Open(new MemoryStream(TestDocuments.Xlsx(("One", [["a", 1]]), ("Two", [[2.5, "b"]]))), false);
        AssertValid(document);
    }

    [Fact]
    public void Pptx_is_schema_valid()
    {
        using var document = PresentationDocument.Open(new MemoryStream(TestDocuments.Pptx(["Title", "Body"], ["Second"])), false);
        AssertValid(document);
    }

    [Fact]
    public void Pdf_has_the_pages_asked_for()
    {
        using var document = PdfDocument.Open(TestDocuments.Pdf(["a"], ["b"]));
        Assert.Equal(2, document.NumberOfPages);
    }
}

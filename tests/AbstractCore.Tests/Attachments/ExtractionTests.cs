using System.Text.RegularExpressions;
using AbstractCore.Attachments;
using AbstractCore.TestKit.Documents;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using W = DocumentFormat.OpenXml.Wordprocessing;

namespace AbstractCore.Tests.Attachments;

/// <summary>Real documents in, the text a model would read out.</summary>
public sealed partial class ExtractionTests
{
    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex WordPattern();

    private static string[] Words(string text) => WordPattern().Matches(text).Select(m => m.Value).ToArray();

    private static string Read(byte[] bytes, string name, FileKind expected)
    {
        var attachment = AttachmentReader.Read(bytes, name);
        Assert.Equal(expected, attachment.Kind);
        Assert.NotNull(attachment.Text);
        return attachment.Text;
    }

    /// <summary>The content after the summary: every word, in order, and nothing else.</summary>
    private static void AssertContentWords(string text, string afterMarker, params string[] expected)
    {
        var start = text.IndexOf(afterMarker, StringComparison.Ordinal);
        Assert.True(start >= 0, $"'{afterMarker}' not found in:\n{text}");
        Assert.Equal(expected, Words(text[(start + afterMarker.Length)..]));
    }

    [Fact]
    public void Pdf_text_comes_out_page_by_page()
    {
        var pdf = TestDocuments.Pdf(["Quarterly report", "Revenue grew strongly"], ["Second page here", "Closing words"]);

        var text = Read(pdf, "report.pdf", FileKind.Pdf);

        Assert.StartsWith("# report.pdf\nPDF document with 2 pages\n\n## Page 1\n", text, StringComparison.Ordinal);
        Assert.Contains("\n\n## Page 2\n", text, StringComparison.Ordinal);
        AssertContentWords(text, "PDF document with 2 pages",
            "Page", "1", "Quarterly", "report", "Revenue", "grew", "strongly",
            "Page", "2", "Second", "page", "here", "Closing", "words");
    }

    [Fact]
    public void Docx_paragraphs_and_table_rows_in_body_order()
    {
        var docx = TestDocuments.Docx(
            ["Project status", "All milestones met"],
            [["Name", "Owner", "Due"], ["Design", "Alice", "May"], ["Build", "Bob", "June"]],
            ["Signed off"]);

        var text = Read(docx, "status.docx", FileKind.Docx);

        Assert.Equal(
            "# status.docx\nWord document\n\n## Content:\nProject status\nAll milestones met\n" +
            "Name | Owner | Due\nDesign | Alice | May\nBuild | Bob | June\nSigned off", text);
    }

    [Fact]
    public void Docx_headings_tabs_and_breaks_survive()
    {
        using var stream = new MemoryStream();
        using (var document = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            document.AddMainDocumentPart().Document = new W.Document(new W.Body(
                new W.Paragraph(new W.ParagraphProperties(new W.ParagraphStyleId { Val = "Heading2" }), new W.Run(new W.Text("Scope"))),
                new W.SdtBlock(new W.SdtContentBlock(new W.Paragraph(new W.Run(
                    new W.Text("left"), new W.TabChar(), new W.Text("right"), new W.Break(), new W.Text("below")))))));
        }

        var text = Read(stream.ToArray(), "styled.docx", FileKind.Docx);

        Assert.Equal("# styled.docx\nWord document\n\n## Content:\n## Scope\nleft\tright\nbelow", text);
    }

    [Fact]
    public void Xlsx_sheets_with_shared_strings_and_numbers()
    {
        var xlsx = TestDocuments.Xlsx(
            ("Sales", [["Region", "Units", "Price"], ["North", 12, 2.5], ["South", 7, 3]]),
            ("Notes", [["Region", "Comment"], ["North", "Strong, steady"], [null, "gap before"]]));

        var text = Read(xlsx, "sales.xlsx", FileKind.Xlsx);

        Assert.Equal(
            "# sales.xlsx\nExcel workbook with 2 sheets\n\n" +
            "## Sheet: Sales\nRegion,Units,Price\nNorth,12,2.5\nSouth,7,3\n\n" +
            "## Sheet: Notes\nRegion,Comment\nNorth,\"Strong, steady\"\n,gap before", text);
    }

    [Fact]
    public void Xlsx_rows_are_capped_per_sheet_and_the_cut_is_said()
    {
        var rows = Enumerable.Range(1, DocumentExtractor.MaxRows + 5).Select(i => new object?[] { i }).ToArray();
        var xlsx = TestDocuments.Xlsx(("Big", rows));

        var text = Read(xlsx, "big.xlsx", FileKind.Xlsx);

        Assert.EndsWith($"\n{DocumentExtractor.MaxRows}\n(more rows not shown; the limit is {DocumentExtractor.MaxRows} rows per sheet)", text,
            StringComparison.Ordinal);
        Assert.DoesNotContain($"\n{DocumentExtractor.MaxRows + 1}\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Pptx_slides_in_order_with_their_text()
    {
        var pptx = TestDocuments.Pptx(["Kickoff", "Goals for the year"], ["Plan", "Hire two engineers", "Ship version two"]);

        var text = Read(pptx, "deck.pptx", FileKind.Pptx);

        Assert.Equal(
            "# deck.pptx\nPowerPoint presentation with 2 slides\n\n" +
            "## Slide 1\nKickoff\nGoals for the year\n\n" +
            "## Slide 2\nPlan\nHire two engineers\nShip version two", text);
    }

    [Fact]
    public void Csv_rows_with_quoted_fields()
    {
        var csv = TestDocuments.Text("city,note", "Paris,\"big, old\"", "\"Rome\",\"said \"\"hi\"\"\"", "", "Oslo,\"two", "lines\"");

        var text = Read(csv, "cities.csv", FileKind.Csv);

        Assert.Equal(
            "# cities.csv\nCSV data with 4 rows and 2 columns\n\n## Content:\n" +
            "city,note\nParis,\"big, old\"\nRome,\"said \"\"hi\"\"\"\nOslo,\"two\nlines\"", text);
    }

    [Fact]
    public void Csv_rows_are_capped()
    {
        var lines = Enumerable.Range(0, DocumentExtractor.MaxRows + 3).Select(i => $"{i},x").ToArray();

        var text = Read(TestDocuments.Text(lines), "many.csv", FileKind.Csv);

        Assert.Contains($"CSV data with {DocumentExtractor.MaxRows + 3} rows and 2 columns", text, StringComparison.Ordinal);
        Assert.EndsWith($"\n{DocumentExtractor.MaxRows - 1},x\n(3 more rows not shown; the limit is {DocumentExtractor.MaxRows} rows)", text,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Tsv_rows_keep_their_tabs()
    {
        var text = Read(TestDocuments.Text("id\tname", "1\tAda Lovelace", "2\tAlan Turing"), "people.tsv", FileKind.Tsv);

        Assert.Equal("# people.tsv\nTSV data with 3 rows and 2 columns\n\n## Content:\nid\tname\n1\tAda Lovelace\n2\tAlan Turing", text);
    }

    [Fact]
    public void Text_has_the_observed_layout()
    {
        var text = Read(TestDocuments.Text("Hello world"), "hello.txt", FileKind.Text);

        Assert.Equal("# Text Content\nDocument Statistics: 2 words, 1 lines\n\n## Content:\nHello world", text);
    }

    [Fact]
    public void Text_statistics_count_words_and_lines_like_splitlines()
    {
        var text = Read("one two\r\nthree\r\n\r\nfour five six\r\n"u8.ToArray(), "notes.txt", FileKind.Text);

        Assert.Equal("# Text Content\nDocument Statistics: 6 words, 4 lines\n\n## Content:\none two\nthree\n\nfour five six", text);
    }

    [Fact]
    public void Markdown_is_text_with_its_own_heading()
    {
        var text = Read(TestDocuments.Text("# Title", "", "Some *bold* words."), "readme.md", FileKind.Markdown);

        Assert.Equal("# Markdown Content\nDocument Statistics: 5 words, 3 lines\n\n## Content:\n# Title\n\nSome *bold* words.", text);
    }

    [Fact]
    public void Json_object_is_pretty_printed_with_a_summary()
    {
        var text = Read("""{"name":"Zoë","tags":["a","<b>"]}"""u8.ToArray(), "data.json", FileKind.Json);

        Assert.Equal(
            "# data.json\nJSON object with 2 keys\n\n## Content:\n{\n  \"name\": \"Zoë\",\n  \"tags\": [\n    \"a\",\n    \"<b>\"\n  ]\n}", text);
    }

    [Fact]
    public void Json_array_counts_items()
    {
        var text = Read("[1, 2, 3]"u8.ToArray(), "numbers.json", FileKind.Json);

        Assert.StartsWith("# numbers.json\nJSON array with 3 items\n\n## Content:\n[", text, StringComparison.Ordinal);
        AssertContentWords(text, "## Content:", "1", "2", "3");
    }

    [Fact]
    public void Xml_is_passed_as_text()
    {
        var xml = TestDocuments.Text("<?xml version=\"1.0\"?>", "<order id=\"7\"><item>Tea</item></order>");

        var text = Read(xml, "order.xml", FileKind.Xml);

        Assert.Equal(
            "# XML Content\nDocument Statistics: 4 words, 2 lines\n\n## Content:\n<?xml version=\"1.0\"?>\n<order id=\"7\"><item>Tea</item></order>",
            text);
    }

    [Fact]
    public void An_image_is_kept_as_bytes_not_extracted()
    {
        var png = TestDocuments.Png();

        var attachment = AttachmentReader.Read(png, "photo.png");

        Assert.Equal(FileKind.Png, attachment.Kind);
        Assert.True(attachment.IsImage);
        Assert.Equal("image/png", attachment.MimeType);
        Assert.Null(attachment.Text);
        Assert.Null(attachment.Block);
        Assert.Equal(png, attachment.Content.ToArray());
        Assert.Throws<ArgumentException>(() => DocumentExtractor.Extract(png, FileKind.Png, "photo.png"));
    }

    [Fact]
    public void Scanned_looking_pdf_pages_say_they_have_no_text()
    {
        var text = Read(TestDocuments.Pdf([], ["Only this page has words"]), "scan.pdf", FileKind.Pdf);

        Assert.Contains("## Page 1\n(no extractable text on this page; it may be a scanned image)\n\n## Page 2\nOnly this page has words",
            text, StringComparison.Ordinal);
    }
}

using System.Globalization;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;
using A = DocumentFormat.OpenXml.Drawing;
using P = DocumentFormat.OpenXml.Presentation;
using S = DocumentFormat.OpenXml.Spreadsheet;
using W = DocumentFormat.OpenXml.Wordprocessing;

namespace AbstractCore.TestKit.Documents;

/// <summary>
/// Real documents written at test time by the libraries that define the formats (PdfPig's builder, the Open XML
/// SDK), so extraction is tested against what producers emit rather than against hand-made fixtures.
/// </summary>
public static class TestDocuments
{
    /// <summary>A PDF in Helvetica (a standard 14 font, nothing embedded): one page per entry, one line per string.</summary>
    public static byte[] Pdf(params string[][] pages)
    {
        ArgumentNullException.ThrowIfNull(pages);
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        foreach (var lines in pages)
        {
            var page = builder.AddPage(595, 842);
            for (var i = 0; i < lines.Length; i++)
            {
                page.AddText(lines[i], 12, new PdfPoint(50, 780 - (i * 20)), font);
            }
        }

        return builder.Build();
    }

    /// <summary>A DOCX: the paragraphs, then a table (first row as written, no header styling), then the closing paragraphs.</summary>
    public static byte[] Docx(IReadOnlyList<string> paragraphs, IReadOnlyList<IReadOnlyList<string>>? table = null,
        IReadOnlyList<string>? after = null)
    {
        ArgumentNullException.ThrowIfNull(paragraphs);
        using var stream = new MemoryStream();
        using (var document = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            var body = new W.Body();
            foreach (var text in paragraphs)
            {
                body.Append(WordParagraph(text));
            }

            if (table is not null)
            {
                body.Append(WordTable(table));
            }

            foreach (var text in after ?? [])
            {
                body.Append(WordParagraph(text));
            }

            body.Append(new W.SectionProperties());
            document.AddMainDocumentPart().Document = new W.Document(body);
        }

        return stream.ToArray();
    }

    /// <summary>
    /// An XLSX with one worksheet per entry. Strings go to the shared string table (as Excel writes them),
    /// numbers are numeric cells, null leaves the cell out (as Excel does for empty cells).
    /// </summary>
    public static byte[] Xlsx(params (string Name, object?[][] Rows)[] sheets)
    {
        ArgumentNullException.ThrowIfNull(sheets);
        using var stream = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var workbookPart = document.AddWorkbookPart();
            var shared = new List<string>();
            var sheetList = new S.Sheets();
            for (var s = 0; s < sheets.Length; s++)
            {
                var worksheetPart = workbookPart.AddNewPart<WorksheetPart>();
                var data = new S.SheetData();
                for (var r = 0; r < sheets[s].Rows.Length; r++)
                {
                    var row = new S.Row { RowIndex = (uint)(r + 1) };
                    for (var c = 0; c < sheets[s].Rows[r].Length; c++)
                    {
                        if (sheets[s].Rows[r][c] is { } value)
                        {
                            row.Append(SpreadsheetCell(ColumnName(c) + (r + 1), value, shared));
                        }
                    }

                    data.Append(row);
                }

                worksheetPart.Worksheet = new S.Worksheet(data);
                sheetList.Append(new S.Sheet
                {
                    Name = sheets[s].Name,
                    SheetId = (uint)(s + 1),
                    Id = workbookPart.GetIdOfPart(worksheetPart),
                });
            }

            workbookPart.Workbook = new S.Workbook(sheetList);
            var sharedPart = workbookPart.AddNewPart<SharedStringTablePart>();
            sharedPart.SharedStringTable = new S.SharedStringTable(shared.Select(t => new S.SharedStringItem(new S.Text(t))))
            {
                Count = (uint)shared.Count,
                UniqueCount = (uint)shared.Count,
            };
        }

        return stream.ToArray();
    }

    /// <summary>A PPTX with one slide per entry: the first string is the title, the rest body paragraphs.</summary>
    public static byte[] Pptx(params string[][] slides)
    {
        ArgumentNullException.ThrowIfNull(slides);
        using var stream = new MemoryStream();
        using (var document = PresentationDocument.Create(stream, PresentationDocumentType.Presentation))
        {
            var presentationPart = document.AddPresentationPart();
            var masterPart = presentationPart.AddNewPart<SlideMasterPart>();
            var layoutPart = masterPart.AddNewPart<SlideLayoutPart>();
            layoutPart.SlideLayout = new P.SlideLayout(new P.CommonSlideData(EmptyShapeTree()),
                new P.ColorMapOverride(new A.MasterColorMapping()));
            layoutPart.AddPart(masterPart);
            masterPart.AddNewPart<ThemePart>().Theme = Theme();
            masterPart.SlideMaster = new P.SlideMaster(
                new P.CommonSlideData(EmptyShapeTree()),
                new P.ColorMap
                {
                    Background1 = A.ColorSchemeIndexValues.Light1, Text1 = A.ColorSchemeIndexValues.Dark1,
                    Background2 = A.ColorSchemeIndexValues.Light2, Text2 = A.ColorSchemeIndexValues.Dark2,
                    Accent1 = A.ColorSchemeIndexValues.Accent1, Accent2 = A.ColorSchemeIndexValues.Accent2,
                    Accent3 = A.ColorSchemeIndexValues.Accent3, Accent4 = A.ColorSchemeIndexValues.Accent4,
                    Accent5 = A.ColorSchemeIndexValues.Accent5, Accent6 = A.ColorSchemeIndexValues.Accent6,
                    Hyperlink = A.ColorSchemeIndexValues.Hyperlink,
                    FollowedHyperlink = A.ColorSchemeIndexValues.FollowedHyperlink,
                },
                new P.SlideLayoutIdList(new P.SlideLayoutId { Id = 2147483649U, RelationshipId = masterPart.GetIdOfPart(layoutPart) }));

            var slideIds = new P.SlideIdList();
            for (var i = 0; i < slides.Length; i++)
            {
                var slidePart = presentationPart.AddNewPart<SlidePart>();
                slidePart.AddPart(layoutPart);
                var tree = EmptyShapeTree();
                for (var j = 0; j < slides[i].Length; j++)
                {
                    tree.Append(TextShape((uint)(j + 2), j == 0 ? "Title" : "Body " + j, slides[i][j], j));
                }

                slidePart.Slide = new P.Slide(new P.CommonSlideData(tree), new P.ColorMapOverride(new A.MasterColorMapping()));
                slideIds.Append(new P.SlideId { Id = (uint)(256 + i), RelationshipId = presentationPart.GetIdOfPart(slidePart) });
            }

            presentationPart.Presentation = new P.Presentation(
                new P.SlideMasterIdList(new P.SlideMasterId { Id = 2147483648U, RelationshipId = presentationPart.GetIdOfPart(masterPart) }),
                slideIds,
                new P.SlideSize { Cx = 9144000, Cy = 6858000 },
                new P.NotesSize { Cx = 6858000, Cy = 9144000 });
        }

        return stream.ToArray();
    }

    /// <summary>Lines joined with "\n" as UTF-8 (for CSV, TSV, Markdown, text, JSON and XML files).</summary>
    public static byte[] Text(params string[] lines) => Encoding.UTF8.GetBytes(string.Join('\n', lines));

    /// <summary>The smallest valid PNG: one transparent pixel.</summary>
    public static byte[] Png() => Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");

    /// <summary>A JPEG's first bytes (SOI + JFIF APP0): enough for detection, which is all the gateway does with images.</summary>
    public static byte[] JpegHeader() =>
        [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00];

    /// <summary>A zip holding one text file: a valid archive that is not an Office document.</summary>
    public static byte[] PlainZip()
    {
        using var stream = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(stream, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = new StreamWriter(zip.CreateEntry("notes.txt").Open());
            entry.Write("not an office document");
        }

        return stream.ToArray();
    }

    /// <summary>
    /// A PDF protected by a user password (not empty): the trailer of a real PDF gains a standard security
    /// handler whose password hashes match no password, as a reader asked for none would find.
    /// </summary>
    public static byte[] EncryptedPdf()
    {
        var pdf = Encoding.Latin1.GetString(Pdf(["Secret plans"]));
        var hash = new string('A', 64);
        // The trailer follows the xref table, so growing it moves no object the table points at.
        var encrypted = pdf.Replace("trailer\n<<", $"trailer\n<</Encrypt << /Filter /Standard /V 1 /R 2 /O <{hash}> /U <{hash}> /P -4 >> ",
            StringComparison.Ordinal);
        return encrypted == pdf ? throw new InvalidOperationException("PdfPig's trailer layout changed") : Encoding.Latin1.GetBytes(encrypted);
    }

    /// <summary>A zip laid out like a DOCX (content types, word/document.xml) whose document part is not XML.</summary>
    public static byte[] BrokenDocx()
    {
        using var stream = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(stream, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            void Add(string path, string text)
            {
                using var entry = new StreamWriter(zip.CreateEntry(path).Open());
                entry.Write(text);
            }

            Add("[Content_Types].xml",
                "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">" +
                "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>" +
                "<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>");
            Add("_rels/.rels",
                "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" +
                "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>");
            Add("word/document.xml", "this is not xml <<<");
        }

        return stream.ToArray();
    }

    private static W.Paragraph WordParagraph(string text) =>
        new(new W.Run(new W.Text(text) { Space = SpaceProcessingModeValues.Preserve }));

    private static W.Table WordTable(IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var table = new W.Table(new W.TableProperties(new W.TableWidth { Width = "0", Type = W.TableWidthUnitValues.Auto }));
        var columns = rows.Max(r => r.Count);
        table.Append(new W.TableGrid(Enumerable.Range(0, columns).Select(_ => new W.GridColumn { Width = "2400" })));
        foreach (var cells in rows)
        {
            table.Append(new W.TableRow(cells.Select(text => new W.TableCell(WordParagraph(text)))));
        }

        return table;
    }

    private static S.Cell SpreadsheetCell(string reference, object value, List<string> shared)
    {
        if (value is string text)
        {
            var index = shared.IndexOf(text);
            if (index < 0)
            {
                index = shared.Count;
                shared.Add(text);
            }

            return new S.Cell
            {
                CellReference = reference,
                DataType = S.CellValues.SharedString,
                CellValue = new S.CellValue(index.ToString(CultureInfo.InvariantCulture)),
            };
        }

        var number = Convert.ToDouble(value, CultureInfo.InvariantCulture);
        return new S.Cell { CellReference = reference, CellValue = new S.CellValue(number) };
    }

    private static string ColumnName(int index)
    {
        var name = "";
        for (index++; index > 0; index = (index - 1) / 26)
        {
            name = (char)('A' + ((index - 1) % 26)) + name;
        }

        return name;
    }

    private static P.ShapeTree EmptyShapeTree() => new(
        new P.NonVisualGroupShapeProperties(
            new P.NonVisualDrawingProperties { Id = 1U, Name = "" },
            new P.NonVisualGroupShapeDrawingProperties(),
            new P.ApplicationNonVisualDrawingProperties()),
        new P.GroupShapeProperties(new A.TransformGroup()));

    private static P.Shape TextShape(uint id, string name, string text, int position) => new(
        new P.NonVisualShapeProperties(
            new P.NonVisualDrawingProperties { Id = id, Name = name },
            new P.NonVisualShapeDrawingProperties(new A.ShapeLocks { NoGrouping = true }),
            new P.ApplicationNonVisualDrawingProperties()),
        new P.ShapeProperties(new A.Transform2D(
            new A.Offset { X = 457200, Y = 457200 + (position * 914400L) },
            new A.Extents { Cx = 8229600, Cy = 685800 })),
        new P.TextBody(
            new A.BodyProperties(),
            new A.ListStyle(),
            new A.Paragraph(new A.Run(new A.RunProperties { Language = "en-US" }, new A.Text(text)))));

    /// <summary>The smallest theme PowerPoint accepts: 12 colours, two fonts, three of each style.</summary>
    private static A.Theme Theme()
    {
        static A.SolidFill Scheme() => new(new A.SchemeColor { Val = A.SchemeColorValues.PhColor });
        static A.Outline Line() => new(Scheme()) { Width = 9525 };
        static A.EffectStyle Effect() => new(new A.EffectList());

        return new A.Theme(
            new A.ThemeElements(
                new A.ColorScheme(
                    new A.Dark1Color(new A.SystemColor { Val = A.SystemColorValues.WindowText, LastColor = "000000" }),
                    new A.Light1Color(new A.SystemColor { Val = A.SystemColorValues.Window, LastColor = "FFFFFF" }),
                    new A.Dark2Color(new A.RgbColorModelHex { Val = "1F497D" }),
                    new A.Light2Color(new A.RgbColorModelHex { Val = "EEECE1" }),
                    new A.Accent1Color(new A.RgbColorModelHex { Val = "4F81BD" }),
                    new A.Accent2Color(new A.RgbColorModelHex { Val = "C0504D" }),
                    new A.Accent3Color(new A.RgbColorModelHex { Val = "9BBB59" }),
                    new A.Accent4Color(new A.RgbColorModelHex { Val = "8064A2" }),
                    new A.Accent5Color(new A.RgbColorModelHex { Val = "4BACC6" }),
                    new A.Accent6Color(new A.RgbColorModelHex { Val = "F79646" }),
                    new A.Hyperlink(new A.RgbColorModelHex { Val = "0000FF" }),
                    new A.FollowedHyperlinkColor(new A.RgbColorModelHex { Val = "800080" }))
                { Name = "Office" },
                new A.FontScheme(
                    new A.MajorFont(new A.LatinFont { Typeface = "Calibri" }, new A.EastAsianFont { Typeface = "" },
                        new A.ComplexScriptFont { Typeface = "" }),
                    new A.MinorFont(new A.LatinFont { Typeface = "Calibri" }, new A.EastAsianFont { Typeface = "" },
                        new A.ComplexScriptFont { Typeface = "" }))
                { Name = "Office" },
                new A.FormatScheme(
                    new A.FillStyleList(Scheme(), Scheme(), Scheme()),
                    new A.LineStyleList(Line(), Line(), Line()),
                    new A.EffectStyleList(Effect(), Effect(), Effect()),
                    new A.BackgroundFillStyleList(Scheme(), Scheme(), Scheme()))
                { Name = "Office" }),
            new A.ObjectDefaults(),
            new A.ExtraColorSchemeList())
        { Name = "Office Theme" };
    }
}

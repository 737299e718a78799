using System.Globalization;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace AbstractCore.Attachments;

/// <summary>XLSX → text: each sheet as "## Sheet: name", then its rows as CSV lines.</summary>
internal static class SpreadsheetText
{
    public static string Extract(ReadOnlyMemory<byte> content, string name, int maxRows)
    {
        using var document = SpreadsheetDocument.Open(MemoryStreams.ReadOnly(content), isEditable: false, OfficeLimits.Settings);
        var workbookPart = document.WorkbookPart ?? throw new InvalidDataException("the package has no workbook");
        var sheets = workbookPart.Workbook?.Sheets?.Elements<Sheet>().ToList() ?? [];
        var sharedStrings = SharedStrings(workbookPart);
        var dateFormats = DateStyleIndexes(workbookPart);

        var builder = new StringBuilder();
        builder.Append("# ").Append(name).Append("\nExcel workbook with ")
            .Append(sheets.Count).Append(sheets.Count == 1 ? " sheet" : " sheets");
        foreach (var sheet in sheets)
        {
            builder.Append("\n\n## Sheet: ").Append(sheet.Name?.Value);
            if (sheet.Id?.Value is { } id && workbookPart.GetPartById(id) is WorksheetPart worksheetPart)
            {
                AppendRows(builder, worksheetPart, sharedStrings, dateFormats, maxRows);
            }
        }

        return builder.ToString();
    }

    // Rows are streamed rather than loaded as a DOM, and reading stops at the cap: a 10 MB xlsx can hold a
    // sheet far larger than the rows kept (or than OfficeLimits allows), and only its start is wanted.
    private static void AppendRows(
        StringBuilder builder, WorksheetPart part, string[] sharedStrings, HashSet<uint> dateFormats, int maxRows)
    {
        using var reader = OpenXmlReader.Create(part);
        var written = 0;
        while (reader.Read())
        {
            if (reader.ElementType != typeof(Row) || !reader.IsStartElement)
            {
                continue;
            }

            if (written >= maxRows)
            {
                builder.Append("\n(more rows not shown; the limit is ").Append(maxRows).Append(" rows per sheet)");
                return;
            }

            var row = (Row)reader.LoadCurrentElement()!;
            var cells = new List<string>();
            foreach (var cell in row.Elements<Cell>())
            {
                // Empty cells are often left out of the file; the reference says which column a cell is in.
                var column = ColumnIndex(cell.CellReference?.Value) ?? cells.Count;
                while (cells.Count < column)
                {
                    cells.Add("");
                }

                cells.Add(CellText(cell, sharedStrings, dateFormats));
            }

            while (cells.Count > 0 && cells[^1].Length == 0)
            {
                cells.RemoveAt(cells.Count - 1);
            }

            if (cells.Count > 0)
            {
                builder.Append('\n').Append(string.Join(',', cells.Select(Csv.Quote)));
                written++;
            }
        }
    }

    private static string CellText(Cell cell, string[] sharedStrings, HashSet<uint> dateFormats)
    {
        if (cell.DataType?.Value == CellValues.InlineString)
        {
            return cell.InlineString?.InnerText ?? "";
        }

        var raw = cell.CellValue?.Text ?? "";
        var type = cell.DataType?.Value;
        if (type == CellValues.SharedString)
        {
            return int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var index) &&
                   index < sharedStrings.Length
                ? sharedStrings[index]
                : raw;
        }

        if (type == CellValues.Boolean)
        {
            return raw == "1" ? "TRUE" : "FALSE";
        }

        // Dates are stored as day numbers; without their format a model would read 45292 instead of 2024-01-01.
        if ((type is null || type == CellValues.Number) && cell.StyleIndex?.Value is { } style &&
            dateFormats.Contains(style) &&
            double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var serial) &&
            serial is >= 0 and < 2958466)
        {
            var date = DateTime.FromOADate(serial);
            return serial < 1 ? date.ToString("HH:mm:ss", CultureInfo.InvariantCulture)
                : date.TimeOfDay == TimeSpan.Zero ? date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
                : date.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        }

        return raw;
    }

    private static string[] SharedStrings(WorkbookPart workbookPart)
    {
        var table = workbookPart.SharedStringTablePart?.SharedStringTable;
        if (table is null)
        {
            return [];
        }

        // Plain text or rich-text runs; phonetic guides (rPh) are not part of the value.
        return table.Elements<SharedStringItem>()
            .Select(item => item.Text?.Text ?? string.Concat(item.Elements<Run>().Select(r => r.Text?.Text)))
            .ToArray();
    }

    /// <summary>Cell style indexes whose number format shows a date (built-in ids or a custom y/m/d pattern).</summary>
    private static HashSet<uint> DateStyleIndexes(WorkbookPart workbookPart)
    {
        var result = new HashSet<uint>();
        var stylesheet = workbookPart.WorkbookStylesPart?.Stylesheet;
        if (stylesheet?.CellFormats is not { } formats)
        {
            return result;
        }

        var customDates = new HashSet<uint>();
        foreach (var format in stylesheet.NumberingFormats?.Elements<NumberingFormat>() ?? [])
        {
            if (format.NumberFormatId?.Value is { } id && format.FormatCode?.Value is { } code && IsDatePattern(code))
            {
                customDates.Add(id);
            }
        }

        uint index = 0;
        foreach (var format in formats.Elements<CellFormat>())
        {
            var id = format.NumberFormatId?.Value ?? 0;
            if (id is (>= 14 and <= 22) or (>= 45 and <= 47) || customDates.Contains(id))
            {
                result.Add(index);
            }

            index++;
        }

        return result;
    }

    // Quoted literals and [colour]/[locale] sections are not part of the pattern; a d, m or y outside them is.
    private static bool IsDatePattern(string code)
    {
        var inQuote = false;
        var inBracket = false;
        foreach (var c in code)
        {
            switch (c)
            {
                case '"':
                    inQuote = !inQuote;
                    break;
                case '[' when !inQuote:
                    inBracket = true;
                    break;
                case ']' when !inQuote:
                    inBracket = false;
                    break;
                default:
                    if (!inQuote && !inBracket && c is 'd' or 'D' or 'y' or 'Y' or 'm' or 'M')
                    {
                        return true;
                    }

                    break;
            }
        }

        return false;
    }

    /// <summary>"C7" → 2 (zero-based column).</summary>
    private static int? ColumnIndex(string? reference)
    {
        if (string.IsNullOrEmpty(reference))
        {
            return null;
        }

        var column = 0;
        var letters = 0;
        foreach (var c in reference)
        {
            if (c is >= 'A' and <= 'Z')
            {
                column = (column * 26) + (c - 'A' + 1);
                letters++;
            }
            else
            {
                break;
            }
        }

        // Excel has 16,384 columns (XFD); anything beyond would only pad lines with commas.
        return letters is > 0 and <= 3 && column <= 16384 ? column - 1 : null;
    }
}

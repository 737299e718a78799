using System.Text;

namespace AbstractCore.Attachments;

/// <summary>Delimited text (RFC 4180: quoted fields may hold delimiters, doubled quotes and line breaks).</summary>
internal static class Csv
{
    /// <summary>Rows of fields; stops after <paramref name="maxRows"/> rows and reports how many more there were.</summary>
    public static List<List<string>> Parse(string text, char delimiter, int maxRows, out int moreRows)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var inQuotes = false;
        var rowHasContent = false;
        var more = 0;

        void EndRow()
        {
            row.Add(field.ToString());
            field.Clear();
            // Blank lines are not rows (pandas and the csv module both skip them).
            if (rowHasContent || row.Count > 1)
            {
                if (rows.Count < maxRows)
                {
                    rows.Add(row);
                }
                else
                {
                    more++;
                }
            }

            row = [];
            rowHasContent = false;
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (inQuotes)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    inQuotes = false;
                }
                else
                {
                    field.Append(c);
                }

                continue;
            }

            if (c == '"' && field.Length == 0)
            {
                inQuotes = true;
                rowHasContent = true;
            }
            else if (c == delimiter)
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c is '\n' or '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                EndRow();
            }
            else
            {
                field.Append(c);
                rowHasContent = true;
            }
        }

        if (field.Length > 0 || row.Count > 0 || rowHasContent)
        {
            EndRow();
        }

        moreRows = more;
        return rows;
    }

    /// <summary>A field as it would be written in a CSV line: quoted only when it has to be.</summary>
    public static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
}

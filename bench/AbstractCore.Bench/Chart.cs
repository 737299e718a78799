using System.Globalization;
using System.Net;
using System.Text;

namespace AbstractCore.Bench;

/// <summary>One figure of the report as a ratio to its baseline; group "throughput" (higher is better) or "latency" (lower is better).</summary>
internal sealed record Bar(string Group, string Label, double Ratio);

/// <summary>A plain SVG bar chart of the report's ratios, two panels, no plotting package.</summary>
internal static class Chart
{
    private const int Width = 760;
    private const int LabelWidth = 230;
    private const int BarArea = 440;
    private const int RowHeight = 22;

    public static string Svg(IReadOnlyList<Bar> bars, bool trial)
    {
        var panels = new[]
        {
            ("throughput", "Throughput: gateway as % of its baseline (higher is better; line = baseline)", true),
            ("latency", "Latency: gateway ÷ baseline (lower is better; line = baseline)", false),
        };
        var body = new StringBuilder();
        var y = 34;
        foreach (var (group, title, percent) in panels)
        {
            var rows = bars.Where(b => b.Group == group && double.IsFinite(b.Ratio)).ToList();
            if (rows.Count == 0)
            {
                continue;
            }

            y += 10;
            Text(body, 10, y, title, "font-weight:bold");
            y += 10;
            var scale = Math.Max(1.0, rows.Max(b => b.Ratio)) * 1.1;
            var top = y;
            foreach (var bar in rows)
            {
                var w = bar.Ratio / scale * BarArea;
                Text(body, LabelWidth - 8, y + 15, bar.Label, "text-anchor:end");
                var color = percent ? (bar.Ratio >= 0.9 ? "#2e7d32" : bar.Ratio >= 0.4 ? "#f9a825" : "#c62828")
                                    : (bar.Ratio <= 1.5 ? "#2e7d32" : bar.Ratio <= 5 ? "#f9a825" : "#c62828");
                body.Append(CultureInfo.InvariantCulture,
                    $"<rect x=\"{LabelWidth}\" y=\"{y + 4}\" width=\"{Math.Max(1, w):0.#}\" height=\"{RowHeight - 8}\" fill=\"{color}\"/>\n");
                var value = percent ? ReadmeReport.Pct(bar.Ratio) : ReadmeReport.Times(bar.Ratio);
                Text(body, LabelWidth + (int)w + 6, y + 15, value, "");
                y += RowHeight;
            }

            var baseline = LabelWidth + 1.0 / scale * BarArea;
            body.Append(CultureInfo.InvariantCulture,
                $"<line x1=\"{baseline:0.#}\" y1=\"{top}\" x2=\"{baseline:0.#}\" y2=\"{y + 2}\" stroke=\"#333\" stroke-dasharray=\"4 3\"/>\n");
            y += 8;
        }

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{y + 10}\" viewBox=\"0 0 {Width} {y + 10}\" " +
            $"font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{y + 10}\" fill=\"#fff\"/>\n");
        Text(svg, 10, 20, "AbstractCore gateway vs same-run baselines" + (trial ? " (TRIAL RUN: short, shared machine)" : ""), "font-size:14px;font-weight:bold");
        svg.Append(body);
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static void Text(StringBuilder svg, int x, int y, string text, string style) =>
        svg.Append(CultureInfo.InvariantCulture,
            $"<text x=\"{x}\" y=\"{y}\"{(style.Length > 0 ? $" style=\"{style}\"" : "")}>{WebUtility.HtmlEncode(text)}</text>\n");
}

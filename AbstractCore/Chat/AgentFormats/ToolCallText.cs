using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AbstractCore.Chat.AgentFormats;

/// <summary>The text syntaxes of tool calls: rendering one, and finding (then removing) those a model wrote.</summary>
public static partial class ToolCallText
{
    /// <summary>Markers that open a tool call written as text.</summary>
    public static readonly string[] OpenMarkers = ["<|tool_call|>", "<tool_call>", "<function_call>", "```tool_code"];

    private static readonly JsonWriterOptions Indented = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>One call as <c>{"name": …, "arguments": {…}}</c> (indented by 2) wrapped in the format's tags.</summary>
    public static string Render(AgentFormat format, string name, string argumentsJson)
    {
        var json = CallJson(name, argumentsJson);
        return format switch
        {
            AgentFormat.Qwen3 => $"<|tool_call|>\n{json}\n</|tool_call|>",
            AgentFormat.Llama3 => $"<function_call>\n{json}\n</function_call>",
            AgentFormat.Gemma => $"```tool_code\n{json}\n```",
            AgentFormat.Xml => $"<tool_call>\n{json}\n</tool_call>",
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "not a text format"),
        };
    }

    /// <summary>Appends rendered calls to content the way the original does: "\n\n" + block each, then trimmed.</summary>
    public static string Append(AgentFormat format, string? content, IEnumerable<(string Name, string Arguments)> calls)
    {
        var text = new StringBuilder(Clean(content ?? ""));
        foreach (var (name, arguments) in calls)
        {
            text.Append("\n\n").Append(Render(format, name, arguments));
        }

        return text.ToString().Trim();
    }

    public static bool ContainsCall(string content) =>
        OpenMarkers.Any(m => content.Contains(m, StringComparison.OrdinalIgnoreCase));

    /// <summary>Tool calls written as text in any of the four syntaxes, with the content left once they are removed.</summary>
    public static (string Content, List<(string Name, string Arguments)> Calls) Extract(string content)
    {
        var calls = new List<(string, string)>();
        foreach (Match match in Blocks().Matches(content))
        {
            if (TryParseCall(match.Groups["json"].Value, out var call))
            {
                calls.Add(call);
            }
        }

        return (calls.Count == 0 ? content : Clean(content), calls);
    }

    /// <summary>The original's markup removal: tool-call blocks, chat-template tags, bare call-JSON lines.</summary>
    public static string Clean(string content)
    {
        if (content.Length == 0)
        {
            return content;
        }

        var text = Blocks().Replace(content, "");
        text = Harmony().Replace(text, "");
        text = OrphanTags().Replace(text, "");
        text = BareCallLine().Replace(text, "");
        text = ManyNewlines().Replace(text, "\n\n");
        return text.Trim();
    }

    private static bool TryParseCall(string json, out (string Name, string Arguments) call)
    {
        call = default;
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            var arguments = root.TryGetProperty("arguments", out var a) || root.TryGetProperty("parameters", out a)
                ? a.ValueKind == JsonValueKind.String ? a.GetString()! : a.GetRawText()
                : "{}";
            call = (name.GetString()!, arguments);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string CallJson(string name, string argumentsJson)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Indented))
        {
            writer.WriteStartObject();
            writer.WriteString("name", name);
            writer.WritePropertyName("arguments");
            try
            {
                using var args = JsonDocument.Parse(string.IsNullOrWhiteSpace(argumentsJson) ? "{}" : argumentsJson);
                args.RootElement.WriteTo(writer);
            }
            catch (JsonException)
            {
                // Not JSON: kept as the original does, under "value".
                writer.WriteStartObject();
                writer.WriteString("value", argumentsJson);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    [GeneratedRegex(@"<\|tool_call\|>\s*(?<json>\{.*?\})\s*</\|tool_call\|>|<tool_call>\s*(?<json>\{.*?\})\s*</tool_call>|<function_call>\s*(?<json>\{.*?\})\s*</function_call>|```tool_code\s*(?<json>\{.*?\})\s*```",
        RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex Blocks();

    [GeneratedRegex(@"<\|channel\|>[^<]*?to=[^<]*?<\|message\|>\s*\{.*?\}(?=\s*(<\||$))", RegexOptions.Singleline)]
    private static partial Regex Harmony();

    [GeneratedRegex(@"<\|(assistant|user|system|channel|message|constrain)\|>|</?\|?tool_call\|?>|</?function_call>", RegexOptions.IgnoreCase)]
    private static partial Regex OrphanTags();

    [GeneratedRegex(@"^\s*\{\s*""name""\s*:\s*""[^""]+""\s*,\s*""arguments""\s*:\s*\{.*\}\s*\}\s*$", RegexOptions.Multiline)]
    private static partial Regex BareCallLine();

    [GeneratedRegex(@"\n{3,}")]
    private static partial Regex ManyNewlines();
}

using System.Text;
using System.Text.Json.Nodes;

namespace AbstractCore.Api.Tests.Routes;

/// <summary>One generated request: its body, content type, and what was done to the example (for the failure list).</summary>
public sealed record FuzzCase(byte[] Body, string ContentType, string What);

/// <summary>
/// Malformed variants of a route's valid example, drawn from a seeded <see cref="Random"/> so a failure replays: the
/// classes the adversarial run used (byte flips, truncation, invalid UTF-8, lone surrogates, duplicate keys, deep
/// nesting, huge numbers, wrong types, NULs) and, for forms, boundary, part-name and file-name damage.
/// </summary>
public sealed class FuzzBodies(Random random)
{
    private static readonly byte[][] BadUtf8 =
    [
        [0xFF], [0xC3], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xF4, 0x90, 0x80, 0x80], [0x80, 0x80],
    ];

    private static readonly string[] BadEscapes = [@"\ud800", @"\udfff", @"\ud800\u0041", @"\udc00\ud800", @"\u0000", @"\ud83d"];

    private static readonly string[] HugeNumbers =
    [
        "1e999999", "-1e400", "123456789012345678901234567890", "0." + new string('0', 5000) + "1", "-0", "1E+2147483648",
        new string('9', 20_000), "4.9e-324", "18446744073709551616",
    ];

    public FuzzCase Next(RouteExample example) => example.IsMultipart ? Multipart(example) : Json(example);

    private FuzzCase Json(RouteExample example)
    {
        var kind = random.Next(50); // the two large-body kinds in 4% of cases, the twelve others evenly
        var (body, what) = (kind < 14 ? kind : kind % 12) switch
        {
            12 => (Large(example.Json(), [.. ",\"@\":1,\"@\":2}"u8]), "large body with a duplicate key at its end"),
            13 => (Large(example.Json(), [.. ",\"@\":\""u8, 0xFF, .. "\"}"u8]), "large body with invalid UTF-8 at its end"),
            0 => (Flip(example.Json()), "byte flips"),
            1 => (Truncate(example.Json()), "truncated"),
            2 => InText(example, Pick(BadUtf8), "invalid UTF-8 in a string"),
            3 => InText(example, Encoding.UTF8.GetBytes(Pick(BadEscapes)), "bad escape in a string"),
            4 => DuplicateKey(example),
            5 => (Nest(example), "deep nesting"),
            6 => Replace(example, _ => Pick(HugeNumbers), "huge number"),
            7 => Replace(example, WrongType, "wrong type"),
            8 => InText(example, random.Next(2) == 0 ? [0x00] : "\\u0000"u8.ToArray(), "NUL in a string"),
            9 => (Insert(example.Json(), Pick(BadUtf8)), "invalid UTF-8 anywhere"),
            10 => UnknownKey(example),
            _ => (Flip(Truncate(example.Json())), "truncated and flipped"),
        };
        return new FuzzCase(body, random.Next(20) == 0 ? "text/plain" : "application/json", what);
    }

    private FuzzCase Multipart(RouteExample example)
    {
        var form = example.Multipart();
        var what = "";
        switch (random.Next(10))
        {
            case 0:
                form.Boundary = random.Next(3) switch
                {
                    0 => new string('b', random.Next(71, 6000)),
                    1 => "a b\"c",
                    _ => "",
                };
                what = $"boundary of {form.Boundary.Length} chars";
                break;
            case 1:
            {
                var file = form.Parts.FindIndex(p => p.FileName is not null);
                var name = random.Next(5) switch
                {
                    0 => "a\0b.png",
                    1 => "a\r\nContent-Type: text/html\r\n.png",
                    2 => "a\"b.png",
                    3 => new string('n', 10_000),
                    _ => "\u0007\u001b.png",
                };
                form.Parts[file] = form.Parts[file] with { FileName = name };
                what = "file name damage";
                break;
            }

            case 2:
            {
                var at = random.Next(form.Parts.Count);
                form.Parts[at] = form.Parts[at] with { Name = random.Next(3) switch { 0 => "", 1 => "x\0y", _ => "q\"uote" } };
                what = "part name damage";
                break;
            }

            case 3:
            {
                var text = form.Parts.FindIndex(p => p.FileName is null);
                if (text >= 0)
                {
                    form.Parts[text] = form.Parts[text] with { Content = random.Next(2) == 0 ? Pick(BadUtf8) : Encoding.UTF8.GetBytes(Pick(HugeNumbers)) };
                }

                what = "field value damage";
                break;
            }

            case 4:
            {
                var file = form.Parts.FindIndex(p => p.FileName is not null);
                form.Parts[file] = form.Parts[file] with { ContentType = random.Next(2) == 0 ? "not a type" : "image/png; charset=\"" };
                what = "file content type damage";
                break;
            }

            case 5:
                form.Parts.Add(form.Parts[random.Next(form.Parts.Count)]);
                what = "duplicated part";
                break;
            case 6:
                form.Parts.RemoveAt(random.Next(form.Parts.Count));
                what = "missing part";
                break;
            case 7:
            {
                // A large file read in whole, then a part that is refused: the upload must not outlive the request.
                var file = form.Parts.FindIndex(p => p.FileName is not null);
                form.Parts[file] = form.Parts[file] with { Content = new byte[random.Next(256 * 1024, 1024 * 1024)] };
                form.Parts.Add(form.Parts[file] with { Content = [1], FileName = "late\0.bin" });
                what = "large file, then a NUL in a file name";
                break;
            }

            default:
                break;
        }

        var (body, contentType) = form.Encode();
        if (what.Length == 0)
        {
            (body, what) = random.Next(2) == 0 ? (Truncate(body), "truncated form") : (Flip(body), "byte flips in the form");
        }

        return new FuzzCase(body, contentType, what);
    }

    private byte[] Flip(byte[] body)
    {
        var copy = (byte[])body.Clone();
        for (var i = random.Next(1, 4); i > 0 && copy.Length > 0; i--)
        {
            copy[random.Next(copy.Length)] = (byte)random.Next(256);
        }

        return copy;
    }

    /// <summary>The example with a 256 KB to 1 MB string added and <paramref name="tail"/> in place of its closing brace:
    /// a body every reader must take in whole before it can refuse it.</summary>
    private byte[] Large(byte[] body, byte[] tail) =>
        [.. body.AsSpan(0, body.Length - 1), .. ",\"padding\":\""u8, .. Enumerable.Repeat((byte)'x', random.Next(256 * 1024, 1024 * 1024)), (byte)'"', .. tail];

    private byte[] Truncate(byte[] body) => body[..random.Next(body.Length)];

    private byte[] Insert(byte[] body, byte[] bytes)
    {
        var at = random.Next(body.Length + 1);
        return [.. body.AsSpan(0, at), .. bytes, .. body.AsSpan(at)];
    }

    private byte[] Nest(RouteExample example)
    {
        var depth = random.Next(60, 2000);
        var open = random.Next(2) == 0 ? "[" : "{\"a\":";
        var close = open == "[" ? "]" : "}";
        return Replace(example, _ => string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth)), "").Body;
    }

    private (byte[] Body, string What) DuplicateKey(RouteExample example)
    {
        var objects = Nodes(example.Fields).OfType<JsonObject>().Where(o => o.Count > 0).ToList();
        var target = objects[random.Next(objects.Count)];
        var (key, value) = target.ElementAt(random.Next(target.Count));
        var marker = "@@dup@@";
        var copy = (JsonObject)example.Fields.DeepClone();
        var twin = Nodes(copy).OfType<JsonObject>().ElementAt(objects.IndexOf(target));
        twin[marker] = 0;
        var text = copy.ToJsonString().Replace($"\"{marker}\":0", $"\"{key}\":{value?.ToJsonString() ?? "null"}", StringComparison.Ordinal);
        return (Encoding.UTF8.GetBytes(text), $"duplicate key '{key}'");
    }

    private (byte[] Body, string What) UnknownKey(RouteExample example)
    {
        var copy = (JsonObject)example.Fields.DeepClone();
        copy["@@key@@"] = "@@value@@";
        var text = Encoding.UTF8.GetBytes(copy.ToJsonString());
        var key = random.Next(2) == 0 ? [.. "x_"u8, .. Pick(BadUtf8)] : "x_unknown"u8.ToArray();
        var value = random.Next(2) == 0 ? Pick(BadUtf8) : Encoding.UTF8.GetBytes(Pick(BadEscapes));
        return (Swap(Swap(text, "@@key@@"u8, key), "@@value@@"u8, value), "unknown field");
    }

    /// <summary>A string value of the example (chosen at random) with <paramref name="bytes"/> put in its middle.</summary>
    private (byte[] Body, string What) InText(RouteExample example, byte[] bytes, string what)
    {
        var copy = (JsonObject)example.Fields.DeepClone();
        var strings = Nodes(copy).OfType<JsonValue>().Where(v => v.GetValueKind() == System.Text.Json.JsonValueKind.String).ToList();
        if (strings.Count == 0)
        {
            return (Insert(example.Json(), bytes), what);
        }

        var value = strings[random.Next(strings.Count)];
        var text = value.GetValue<string>();
        var at = random.Next(text.Length + 1);
        value.ReplaceWith(JsonValue.Create(text[..at] + "@@here@@" + text[at..]));
        return (Swap(Encoding.UTF8.GetBytes(copy.ToJsonString()), "@@here@@"u8, bytes), $"{what} ({value.GetPath()})");
    }

    /// <summary>The example with one value (chosen at random) replaced by raw JSON text.</summary>
    private (byte[] Body, string What) Replace(RouteExample example, Func<JsonNode?, string> with, string what)
    {
        var copy = (JsonObject)example.Fields.DeepClone();
        var values = Nodes(copy).Where(n => n.Parent is not null).ToList();
        var target = values[random.Next(values.Count)];
        var path = target.GetPath();
        var replacement = with(target);
        target.ReplaceWith(JsonValue.Create("@@value@@"));
        return (Swap(Encoding.UTF8.GetBytes(copy.ToJsonString()), "\"@@value@@\""u8, Encoding.UTF8.GetBytes(replacement)), $"{what} at {path}");
    }

    private string WrongType(JsonNode? node) => (node?.GetValueKind(), random.Next(3)) switch
    {
        (System.Text.Json.JsonValueKind.String, 0) => "42",
        (System.Text.Json.JsonValueKind.String, 1) => "{\"a\":[]}",
        (System.Text.Json.JsonValueKind.String, _) => "null",
        (System.Text.Json.JsonValueKind.Number, 0) => "\"12\"",
        (System.Text.Json.JsonValueKind.Number, 1) => "-1",
        (System.Text.Json.JsonValueKind.Array, _) => random.Next(2) == 0 ? "\"text\"" : "[[[]],{},null,1.5]",
        (System.Text.Json.JsonValueKind.Object, _) => random.Next(2) == 0 ? "[]" : "\"{}\"",
        (System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False, _) => "\"true\"",
        _ => random.Next(2) == 0 ? "true" : "{}",
    };

    private static IEnumerable<JsonNode> Nodes(JsonNode node)
    {
        yield return node;
        var children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a,
            _ => [],
        };
        foreach (var child in children.OfType<JsonNode>())
        {
            foreach (var n in Nodes(child))
            {
                yield return n;
            }
        }
    }

    private static byte[] Swap(byte[] text, ReadOnlySpan<byte> what, ReadOnlySpan<byte> with)
    {
        var at = text.AsSpan().IndexOf(what);
        return [.. text.AsSpan(0, at), .. with, .. text.AsSpan(at + what.Length)];
    }

    private T Pick<T>(T[] items) => items[random.Next(items.Length)];
}

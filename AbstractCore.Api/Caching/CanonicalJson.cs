using System.Text.Json;

namespace AbstractCore.Api.Caching;

/// <summary>
/// One form for JSON values that mean the same: object members sorted by name (ordinal), strings unescaped and written
/// one way, numbers without their spelling (<c>0.70</c>, <c>0.7</c> and <c>7e-1</c> are one number). Arrays keep their order.
/// </summary>
internal static class CanonicalJson
{
    public static void Write(Utf8JsonWriter writer, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var member in Sorted(value))
                {
                    writer.WritePropertyName(member.Name);
                    Write(writer, member.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.Number:
                WriteNumber(writer, value);
                break;
            default:
                value.WriteTo(writer); // strings are unescaped on reading and escaped one way by the writer; true, false, null
                break;
        }
    }

    public static JsonProperty[] Sorted(JsonElement value)
    {
        var members = value.EnumerateObject().ToArray();
        Array.Sort(members, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return members;
    }

    /// <summary>A decimal, trailing zeros dropped, when it holds the number exactly; else the number as written.</summary>
    private static void WriteNumber(Utf8JsonWriter writer, JsonElement value)
    {
        if (value.TryGetDecimal(out var number))
        {
            writer.WriteNumberValue(number / 1.0000000000000000000000000000m);
        }
        else
        {
            value.WriteTo(writer);
        }
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace AbstractCore.OpenAI.Json;

/// <summary>
/// A boolean extension field bound as the original's (pydantic's lax mode) did: <c>true</c>/<c>false</c>, or the strings
/// and numbers it coerced (<c>"true"</c>, <c>"false"</c>, <c>"1"</c>, <c>"yes"</c>, <c>"off"</c>, <c>1</c>, <c>0</c>, …),
/// since clients that build bodies from form values or environment strings send <c>"unload_after":"true"</c>.
/// </summary>
public sealed class LaxBoolConverter : JsonConverter<bool?>
{
    public override bool HandleNull => true;

    public override bool? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        JsonTokenType.Null => null,
        JsonTokenType.String when Parse(reader.GetString()) is { } value => value,
        JsonTokenType.Number when reader.TryGetInt32(out var n) && n is 0 or 1 => n == 1,
        _ => throw new JsonException("The JSON value could not be converted to a boolean: expected true, false, \"true\" or \"false\"."),
    };

    public override void Write(Utf8JsonWriter writer, bool? value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is { } v)
        {
            writer.WriteBooleanValue(v);
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    /// <summary>The strings pydantic reads as a boolean (any case), else null.</summary>
    public static bool? Parse(string? text) => text?.ToLowerInvariant() switch
    {
        "true" or "1" or "yes" or "y" or "on" or "t" => true,
        "false" or "0" or "no" or "n" or "off" or "f" => false,
        _ => null,
    };
}

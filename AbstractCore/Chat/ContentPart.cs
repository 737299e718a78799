using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AbstractCore.Chat;

/// <summary>One OpenAI content part (<c>text</c>, <c>image_url</c>, <c>input_audio</c>, <c>file</c>) as M.E.AI content.</summary>
internal static class ContentPart
{
    public static AIContent Convert(JsonElement part, string path)
    {
        if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var typeElement) ||
            typeElement.ValueKind != JsonValueKind.String)
        {
            throw GatewayException.BadRequest($"{path} must be an object with a string 'type'.", path);
        }

        var type = typeElement.GetString();
        return type switch
        {
            "text" => new TextContent(RequiredString(part, "text", path)) { RawRepresentation = part },
            "image_url" => Image(part, path),
            "input_audio" => Audio(part, path),
            "file" => File(part, path),
            "refusal" => new TextContent(RequiredString(part, "refusal", path)) { RawRepresentation = part },
            _ => throw GatewayException.BadRequest(
                $"{path}.type '{type}' is not supported; use text, image_url, input_audio or file.", $"{path}.type"),
        };
    }

    private static AIContent Image(JsonElement part, string path)
    {
        var image = Child(part, "image_url", path);
        var url = image.ValueKind == JsonValueKind.String ? image.GetString()! : RequiredString(image, "url", $"{path}.image_url");
        AIContent content = url.StartsWith("data:", StringComparison.OrdinalIgnoreCase)
            ? DataUri(url, $"{path}.image_url.url")
            : Uri.TryCreate(url, UriKind.Absolute, out var uri)
                ? new UriContent(uri, "image/*")
                : throw GatewayException.BadRequest($"{path}.image_url.url is not a valid URL or data: URI.", $"{path}.image_url.url");
        if (image.ValueKind == JsonValueKind.Object && image.TryGetProperty("detail", out var detail) &&
            detail.ValueKind == JsonValueKind.String)
        {
            content.AdditionalProperties = new() { ["detail"] = detail.GetString() };
        }

        return content;
    }

    private static DataContent Audio(JsonElement part, string path)
    {
        var audio = Child(part, "input_audio", path);
        var data = RequiredString(audio, "data", $"{path}.input_audio");
        var format = audio.TryGetProperty("format", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : "wav";
        try
        {
            return new DataContent(System.Convert.FromBase64String(data), "audio/" + format);
        }
        catch (FormatException)
        {
            throw GatewayException.BadRequest($"{path}.input_audio.data is not valid base64.", $"{path}.input_audio.data");
        }
    }

    private static AIContent File(JsonElement part, string path)
    {
        var file = Child(part, "file", path);
        if (file.TryGetProperty("file_id", out var id) && id.ValueKind == JsonValueKind.String)
        {
            return new HostedFileContent(id.GetString()!);
        }

        var data = RequiredString(file, "file_data", $"{path}.file");
        var content = DataUri(data, $"{path}.file.file_data");
        if (file.TryGetProperty("filename", out var name) && name.ValueKind == JsonValueKind.String)
        {
            content.Name = name.GetString();
        }

        return content;
    }

    private static DataContent DataUri(string uri, string param)
    {
        try
        {
            return new DataContent(uri);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw GatewayException.BadRequest($"{param} is not a valid base64 data: URI.", param);
        }
    }

    private static JsonElement Child(JsonElement part, string name, string path) =>
        part.TryGetProperty(name, out var child) && child.ValueKind is JsonValueKind.Object or JsonValueKind.String
            ? child
            : throw GatewayException.BadRequest($"{path}.{name} is required.", $"{path}.{name}");

    private static string RequiredString(JsonElement obj, string name, string path) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()!
            : throw GatewayException.BadRequest($"{path}.{name} must be a string.", $"{path}.{name}");
}

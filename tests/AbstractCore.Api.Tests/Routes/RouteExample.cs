using System.Text;
using System.Text.Json.Nodes;
using AbstractCore.TestKit.Documents;

namespace AbstractCore.Api.Tests.Routes;

/// <summary>
/// A route's valid request, taken from the executable example the OpenAPI document carries for it (so the bodies are
/// not written twice): a JSON object, or the fields of a multipart form, where a field is a file when its schema says
/// <c>format: binary</c> or its example reads <c>&lt;… file&gt;</c>.
/// </summary>
public sealed record RouteExample(ApiRoute Route, JsonObject Fields, IReadOnlyList<string> FileFields)
{
    public bool IsMultipart => Route.Body == BodyKind.Multipart;

    public static async Task<IReadOnlyDictionary<ApiRoute, RouteExample>> LoadAsync(HttpClient http, IEnumerable<ApiRoute> routes)
    {
        var document = JsonNode.Parse(await http.GetStringAsync("/openapi.json"))!;
        var examples = new Dictionary<ApiRoute, RouteExample>();
        foreach (var route in routes)
        {
            var content = document["paths"]?[route.Template]?[route.Method.ToLowerInvariant()]?["requestBody"]?["content"]?.AsObject()
                          ?? throw new InvalidOperationException($"{route} has no request example in /openapi.json.");
            var (_, media) = content.Single();
            var fields = media!["example"]!.AsObject();
            var properties = media["schema"]?["properties"]?.AsObject();
            var files = fields.Where(f => (string?)properties?[f.Key]?["format"] == "binary" ||
                                          f.Value is JsonValue v && v.TryGetValue<string>(out var s) && s.StartsWith('<') && s.EndsWith(" file>"))
                .Select(f => f.Key).ToList();
            examples[route] = new RouteExample(route, fields, files);
        }

        return examples;
    }

    /// <summary>The example as JSON bytes.</summary>
    public byte[] Json() => Encoding.UTF8.GetBytes(Fields.ToJsonString());

    /// <summary>The example as a multipart form: its text fields, and a small real file for each file field.</summary>
    public MultipartBody Multipart()
    {
        var body = new MultipartBody();
        foreach (var (name, value) in Fields)
        {
            if (FileFields.Contains(name))
            {
                var audio = Route.Template.Contains("audio", StringComparison.Ordinal) || Route.Template.Contains("voice", StringComparison.Ordinal);
                body.Parts.Add(audio
                    ? new(name, Wav, name + ".wav", "audio/wav")
                    : new(name, TestDocuments.Png(), name + ".png", "image/png"));
            }
            else
            {
                body.Parts.Add(new(name, Encoding.UTF8.GetBytes(value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value?.ToJsonString() ?? "")));
            }
        }

        return body;
    }

    /// <summary>The body as sent, with its content type.</summary>
    public (byte[] Body, string ContentType) Encode() =>
        IsMultipart ? Multipart().Encode() : (Json(), "application/json");

    /// <summary>A 44-byte WAV header and a few silent samples.</summary>
    private static readonly byte[] Wav =
    [
        .. "RIFF"u8, 44, 0, 0, 0, .. "WAVEfmt "u8, 16, 0, 0, 0, 1, 0, 1, 0, 0x40, 0x1F, 0, 0, 0x80, 0x3E, 0, 0, 2, 0, 16, 0,
        .. "data"u8, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];
}

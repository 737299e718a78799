using System.Text.Json;
using System.Text.Json.Nodes;
using AbstractCore.Media;

namespace AbstractCore.Capabilities;

/// <summary>
/// A partial update, as the original applies it: an omitted or null field keeps the stored value, <c>""</c> clears it,
/// <c>options: {}</c> clears the options (other objects replace them).
/// </summary>
public static class CapabilityDefaultPatch
{
    private static readonly string[] Fields = ["provider", "model", "base_url", "reasoning", "options"];

    /// <summary>Longest accepted values: these end up in the config file and in every matching request.</summary>
    private static readonly Dictionary<string, int> MaxLengths = new()
    {
        ["provider"] = 64, ["model"] = 256, ["base_url"] = 2048, ["reasoning"] = 4096, ["options"] = 16384,
    };

    public static CapabilityDefault Apply(CapabilityDefault current, JsonObject body)
    {
        foreach (var (name, _) in body)
        {
            if (!Fields.Contains(name))
            {
                throw GatewayException.BadRequest($"Unknown field '{name}'. A capability default takes {string.Join(", ", Fields)}.", name);
            }

            var length = body[name] is { } node ? (node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>().Length : node.ToJsonString().Length) : 0;
            if (length > MaxLengths[name])
            {
                throw GatewayException.BadRequest($"'{name}' is too long ({length} characters; at most {MaxLengths[name]}).", name);
            }
        }

        var options = current.Options;
        if (body["options"] is { } o)
        {
            options = o as JsonObject is { } obj ? (JsonObject)obj.DeepClone()
                : throw GatewayException.BadRequest("'options' must be a JSON object ({} clears it).", "options");
        }

        var reasoning = current.Reasoning;
        if (body["reasoning"] is { } r)
        {
            reasoning = r.GetValueKind() == JsonValueKind.String && r.GetValue<string>().Length == 0 ? null : r.DeepClone();
        }

        var baseUrl = Field(body, "base_url", current.BaseUrl);
        if (baseUrl is not null && (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https")))
        {
            throw GatewayException.BadRequest("base_url must be an absolute http(s) URL.", "base_url");
        }

        return current with
        {
            Provider = Field(body, "provider", current.Provider)?.ToLowerInvariant(),
            Model = Field(body, "model", current.Model),
            BaseUrl = baseUrl,
            Reasoning = reasoning,
            Options = options,
        };
    }

    private static string? Field(JsonObject body, string name, string? current)
    {
        var value = BodyRules.OptionalString(body, name);
        return value is null ? current : value.Trim() is { Length: > 0 } v ? v : null;
    }
}

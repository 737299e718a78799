using System.Buffers;
using System.Globalization;
using System.Text.Json;
using AbstractCore.OpenAI.Models;

namespace AbstractCore.Messages;

/// <summary><c>GET /v1/models</c> as Anthropic clients read it (they send <c>anthropic-version</c>): one page of
/// <c>{type: model, id, display_name, created_at}</c>, ids still <c>provider/model</c>.</summary>
public static class AnthropicModelList
{
    public const string VersionHeader = "anthropic-version";

    public static void Write(IReadOnlyList<ModelInfo> models, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(models);
        using var w = new Utf8JsonWriter(output);
        w.WriteStartObject();
        w.WriteStartArray("data");
        foreach (var model in models)
        {
            w.WriteStartObject();
            w.WriteString("type", "model");
            w.WriteString("id", model.Id);
            w.WriteString("display_name", model.Id);
            w.WriteString("created_at", DateTimeOffset.FromUnixTimeSeconds(model.Created).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteBoolean("has_more", false);
        w.WriteString("first_id", models.Count > 0 ? models[0].Id : null);
        w.WriteString("last_id", models.Count > 0 ? models[^1].Id : null);
        w.WriteEndObject();
    }
}

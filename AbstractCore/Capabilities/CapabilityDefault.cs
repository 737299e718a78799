using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AbstractCore.Capabilities;

/// <summary>
/// One explicit route default (<c>kind.modality[.task]</c>, for example <c>output.audio.tts</c>): which provider,
/// model and base URL serve a media request that names no model. Stored as the original's config-file entry
/// <c>{provider?, model?, base_url?, reasoning?, options{}}</c>.
/// </summary>
public sealed partial record CapabilityDefault(
    string Kind, string Modality, string? Task, string? Provider, string? Model, string? BaseUrl, JsonNode? Reasoning, JsonObject Options)
{
    public static readonly IReadOnlyList<string> Kinds = ["input", "output", "embedding", "rerank"];
    public static readonly IReadOnlyList<string> Modalities = ["text", "image", "audio", "video"];

    public string Key => KeyOf(Kind, Modality, Task);

    /// <summary>True when something is set (a route with nothing left is removed rather than kept empty).</summary>
    public bool IsConfigured => Provider is not null || Model is not null || BaseUrl is not null || Reasoning is not null || Options.Count > 0;

    /// <summary>The model reference a request gets: <c>provider/model</c>, or the model alone when it already names its provider.</summary>
    public string? ModelReference => (Provider, Model) switch
    {
        (null, null) => null,
        (null, { } m) => m,
        ({ } p, null) => p + "/default",
        ({ } p, { } m) => m.StartsWith(p + "/", StringComparison.OrdinalIgnoreCase) ? m : p + "/" + m,
    };

    public static string KeyOf(string kind, string modality, string? task) =>
        task is null ? $"{kind}.{modality}" : $"{kind}.{modality}.{task}";

    /// <summary>Checks and normalises (trim, lower case) the route's path parts; a 400 names the bad one.</summary>
    public static (string Kind, string Modality, string? Task) ValidateKey(string kind, string modality, string? task)
    {
        kind = kind.Trim().ToLowerInvariant();
        modality = modality.Trim().ToLowerInvariant();
        task = string.IsNullOrWhiteSpace(task) ? null : task.Trim().ToLowerInvariant().Replace('-', '_');
        if (!Kinds.Contains(kind))
        {
            throw GatewayException.BadRequest($"Unknown capability kind '{kind}'. Use one of: {string.Join(", ", Kinds)}.", "kind");
        }

        if (!Modalities.Contains(modality))
        {
            throw GatewayException.BadRequest($"Unknown capability modality '{modality}'. Use one of: {string.Join(", ", Modalities)}.", "modality");
        }

        if (task is not null && !TaskPattern().IsMatch(task))
        {
            throw GatewayException.BadRequest("The task must be 1-64 letters, digits or '_' (for example 'tts').", "task");
        }

        return (kind, modality, task);
    }

    public static CapabilityDefault Empty(string kind, string modality, string? task) => new(kind, modality, task, null, null, null, null, []);

    /// <summary>The stored entry for one route.</summary>
    public JsonObject ToStored()
    {
        var entry = new JsonObject();
        Put(entry, "provider", Provider);
        Put(entry, "model", Model);
        Put(entry, "base_url", BaseUrl);
        if (Reasoning is not null)
        {
            entry["reasoning"] = Reasoning.DeepClone();
        }

        entry["options"] = Options.DeepClone();
        return entry;
    }

    /// <summary>Reads a stored entry; a key that is not <c>kind.modality[.task]</c> or an entry that is not an object gives null.</summary>
    public static CapabilityDefault? FromStored(string key, JsonNode? stored)
    {
        var parts = key.Split('.');
        if (parts.Length is < 2 or > 3 || stored is not JsonObject entry)
        {
            return null;
        }

        return new CapabilityDefault(parts[0], parts[1], parts.Length == 3 ? parts[2] : null,
            Text(entry["provider"]), Text(entry["model"]), Text(entry["base_url"]),
            entry["reasoning"]?.DeepClone(), entry["options"] is JsonObject o ? (JsonObject)o.DeepClone() : []);
    }

    private static void Put(JsonObject entry, string name, string? value)
    {
        if (value is not null)
        {
            entry[name] = value;
        }
    }

    private static string? Text(JsonNode? node) =>
        node?.GetValueKind() == JsonValueKind.String && node.GetValue<string>() is { Length: > 0 } s ? s : null;

    [GeneratedRegex("^[a-z0-9][a-z0-9_]{0,63}$")]
    private static partial Regex TaskPattern();
}

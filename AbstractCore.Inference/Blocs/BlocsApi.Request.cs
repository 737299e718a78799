using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AbstractCore.Inference.Hosting;
using AbstractCore.Inference.Models;
using AbstractCore.Inference.Residency;

namespace AbstractCore.Inference.Blocs;

/// <summary>The request fields of the bloc KV routes.</summary>
internal static partial class BlocsApi
{
    /// <summary>The fields every KV route reads, checked once.</summary>
    private sealed record BlocRequest(
        ModelFolder? Folder, string? ModelName, string? OptionalSha256, string? Text, JsonNode? BlocId, string? ArtifactPath, string? StableCacheKey,
        string? Key, bool MakeDefault, bool ForceRebuild, bool ClearLoaded, bool Force, bool DryRun, bool Debug, TimeSpan? Ttl)
    {
        public string Sha256 => OptionalSha256 ?? throw InferenceException.BadRequest("sha256 is required.", "sha256");

        /// <summary>The key the artifact's KV lives in unless <c>stable_cache_key</c> names one.</summary>
        public string StableKey => StableCacheKey ?? "bloc:" + Sha256;

        public static async Task<BlocRequest> ReadAsync(HttpRequest request, BlocsContext c, bool needModel, bool shaRequired = true)
        {
            var body = await JsonReply.ReadObjectAsync(request, request.HttpContext.RequestAborted);
            if (body.ContainsKey("api_key"))
            {
                throw InferenceException.BadRequest("api_key is not accepted in request bodies.", "api_key");
            }

            return From(body, c, needModel, shaRequired);
        }

        public static BlocRequest FromQuery(HttpRequest request, BlocsContext c, bool shaRequired = true)
        {
            if (request.Query.ContainsKey("api_key"))
            {
                throw InferenceException.BadRequest("api_key is not accepted here.", "api_key");
            }

            var body = new JsonObject();
            foreach (var (name, values) in request.Query)
            {
                if (values.FirstOrDefault() is { } value)
                {
                    body[name] = value;
                }
            }

            return From(body, c, needModel: false, shaRequired);
        }

        private static BlocRequest From(JsonObject body, BlocsContext c, bool needModel, bool shaRequired)
        {
            var text = body["text"] is JsonValue t && t.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;
            var sha = JsonReply.String(body, "sha256")?.Trim().ToLowerInvariant()
                ?? (text is null ? null : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))));
            if (sha is null && shaRequired)
            {
                throw InferenceException.BadRequest("sha256 (or the bloc text) is required.", "sha256");
            }

            // The sha256 names files on disk: a hash-like identifier only.
            if (sha is not null && (sha.Length > 128 || !sha.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_')))
            {
                throw InferenceException.BadRequest("sha256 must be a hex digest (letters, digits, '-' or '_').", "sha256");
            }

            ModelFolder? folder = null;
            string? name;
            if (needModel)
            {
                folder = ResidencyApi.Select(c.Catalog, body, c.Residency)
                    ?? throw InferenceException.BadRequest("model (or provider+model, or runtime_id) is required for bloc KV artifacts.", "model");
                name = folder.Name;
            }
            else
            {
                ResidencyApi.CheckProvider(JsonReply.String(body, "provider"));
                name = ModelCatalog.Normalize(JsonReply.String(body, "model"));
                if (name is null && JsonReply.String(body, "runtime_id") is { } runtimeId)
                {
                    name = c.Residency.Loaded.FirstOrDefault(r => r.RuntimeId == runtimeId)?.Name
                        ?? throw new BlocException(404, "Loaded gateway runtime not found. Load it first with /acore/models/load.", "runtime_not_found");
                }

                if (name is not null && (name.StartsWith('.') || name.Contains("..", StringComparison.Ordinal) || name.IndexOfAny(['/', '\\']) >= 0))
                {
                    throw InferenceException.BadRequest($"'{name}' is not a model name.", "model");
                }
            }

            return new BlocRequest(
                folder, name, sha, text, body["bloc_id"]?.DeepClone(), JsonReply.String(body, "artifact_path")?.Trim(),
                JsonReply.String(body, "stable_cache_key")?.Trim(), JsonReply.String(body, "key")?.Trim(),
                Flag(body, "make_default"), Flag(body, "force_rebuild"), Flag(body, "clear_loaded"), Flag(body, "force"), Flag(body, "dry_run"),
                Flag(body, "debug"), JsonReply.Number(body, "ttl_s") is { } ttl and > 0 ? TimeSpan.FromSeconds(ttl) : null);
        }

        /// <summary>A boolean sent as JSON true/false or, from a query string, "true"/"1".</summary>
        private static bool Flag(JsonObject body, string name) =>
            JsonReply.Bool(body, name, false) || JsonReply.String(body, name)?.Trim().ToLowerInvariant() is "true" or "1";
    }
}

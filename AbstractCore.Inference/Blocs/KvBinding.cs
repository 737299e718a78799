using System.Globalization;
using System.Text.Json.Nodes;

namespace AbstractCore.Inference.Blocs;

/// <summary>
/// One bloc KV artifact as loaded into one runtime. <see cref="BindingId"/> names exactly that: the runtime id and the
/// artifact's identity (model fingerprint, bloc sha256, token count, kv_format), so the same artifact in another
/// runtime, or a rebuilt one with other tokens, has another id.
/// </summary>
internal sealed record KvBinding(string BindingId, string RuntimeId, string Model, string Sha256, string ModelFingerprint, string ArtifactPath, int[] Tokens)
{
    public static string IdFor(string runtimeId, KvManifest manifest) => "bind_" + Blocs.ModelFingerprint.Hash(string.Join('|',
        runtimeId, manifest.ModelFingerprint, manifest.Sha256, manifest.TokenCount.ToString(CultureInfo.InvariantCulture), manifest.KvFormat))[..32];

    public JsonObject ToJson(string key) => new()
    {
        ["key"] = key,
        ["binding_id"] = BindingId,
        ["model"] = Model,
        ["sha256"] = Sha256,
    };
}

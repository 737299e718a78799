using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Nodes;
using AbstractCore.Inference.Hosting;

namespace AbstractCore.Inference.Blocs;

/// <summary>
/// Bloc KV artifacts on disk under <see cref="InferenceSettings.BlocArtifactsDir"/>: <c>&lt;model&gt;/&lt;sha256&gt;.kv</c>
/// and its manifest <c>&lt;artifact&gt;.manifest.json</c>. Both are written to a temporary file and moved into place,
/// the manifest last, so a manifest always describes a complete artifact.
/// </summary>
internal sealed class KvArtifactStore(InferenceSettings settings)
{
    public const string ManifestSuffix = ".manifest.json";

    // "ACKVTOK1": the token-id artifact format; the header carries the count so a truncated file is detected.
    private static readonly byte[] Magic = "ACKVTOK1"u8.ToArray();

    public string Root { get; } = settings.BlocArtifactsDir;

    /// <summary>
    /// The artifact's path: <c>artifact_path</c> when given (relative to the root, or absolute inside it: this service
    /// writes and deletes these files, so never elsewhere), else the default for the model and sha256.
    /// </summary>
    public string ArtifactPath(string model, string sha256, string? requested)
    {
        if (requested is null)
        {
            return Path.Combine(Root, model, sha256 + ".kv");
        }

        var full = Path.GetFullPath(Path.IsPathRooted(requested) ? requested : Path.Combine(Root, requested));
        var root = Path.GetFullPath(Root).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        if (!full.StartsWith(root, StringComparison.Ordinal) || full.EndsWith(ManifestSuffix, StringComparison.Ordinal))
        {
            throw InferenceException.BadRequest($"artifact_path must be a file inside the bloc artifact folder {Root}.", "artifact_path");
        }

        return full;
    }

    public static string ManifestPath(string artifactPath) => artifactPath + ManifestSuffix;

    /// <summary>The manifest at the artifact's place; null when there is none or it cannot be read.</summary>
    public static KvManifest? ReadManifest(string artifactPath)
    {
        var path = ManifestPath(artifactPath);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return KvManifest.From(JsonNode.Parse(File.ReadAllBytes(path)));
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            return null;
        }
    }

    /// <summary>The artifact's token ids, or null when the file is missing or does not match its manifest.</summary>
    public static int[]? ReadTokens(string artifactPath, KvManifest manifest)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(artifactPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        if (bytes.Length < Magic.Length + 4 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            return null;
        }

        var count = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(Magic.Length));
        if (count != manifest.TokenCount || bytes.Length != Magic.Length + 4 + (4L * count) || ModelFingerprint.Hash(bytes) != manifest.TokensSha256)
        {
            return null;
        }

        var tokens = new int[count];
        for (var i = 0; i < count; i++)
        {
            tokens[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(Magic.Length + 4 + (4 * i)));
        }

        return tokens;
    }

    public static byte[] Encode(int[] tokens)
    {
        var bytes = new byte[Magic.Length + 4 + (4 * tokens.Length)];
        Magic.CopyTo(bytes, 0);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(Magic.Length), tokens.Length);
        for (var i = 0; i < tokens.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(Magic.Length + 4 + (4 * i)), tokens[i]);
        }

        return bytes;
    }

    public static void Write(string artifactPath, byte[] artifact, KvManifest manifest)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(artifactPath)!);
        WriteAtomically(artifactPath, artifact);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            manifest.ToJson().WriteTo(writer);
        }

        WriteAtomically(ManifestPath(artifactPath), buffer.ToArray());
    }

    /// <summary>Removes the manifest first (the artifact is then gone for every reader), then the artifact.</summary>
    public static void Delete(string artifactPath)
    {
        File.Delete(ManifestPath(artifactPath));
        File.Delete(artifactPath);
    }

    /// <summary>Every readable manifest under the root, optionally of one model and one sha256.</summary>
    public IReadOnlyList<(string ArtifactPath, KvManifest Manifest)> List(string? model, string? sha256)
    {
        if (!Directory.Exists(Root))
        {
            return [];
        }

        return Directory.EnumerateFiles(Root, "*" + ManifestSuffix, SearchOption.AllDirectories)
            .Select(path => path[..^ManifestSuffix.Length])
            .Select(artifact => (ArtifactPath: artifact, Manifest: ReadManifest(artifact)))
            .Where(a => a.Manifest is not null && (model is null || a.Manifest.Model == model) && (sha256 is null || a.Manifest.Sha256 == sha256))
            .Select(a => (a.ArtifactPath, a.Manifest!))
            .OrderBy(a => a.ArtifactPath, StringComparer.Ordinal)
            .ToList();
    }

    private static void WriteAtomically(string path, byte[] bytes)
    {
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, path, overwrite: true);
    }
}

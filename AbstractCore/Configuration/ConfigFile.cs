using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AbstractCore.Configuration;

/// <summary>
/// The persisted configuration file, <c>~/.abstractcore/config/abstractcore.json</c> as in the original:
/// a JSON object of sections (<c>api_keys</c>, <c>server</c>, and any others, which are kept untouched on rewrite),
/// rewritten whole through a temporary file and an atomic rename, readable by its owner only (0600).
/// </summary>
public sealed class ConfigFile
{
    public const string FileName = "abstractcore.json";
    public const string FileVariable = "ABSTRACTCORE_CONFIG_FILE";
    public const string DirectoryVariable = "ABSTRACTCORE_CONFIG_DIR";

    /// <summary>Owner read/write: the file holds provider keys and the server token in plain text.</summary>
    public const UnixFileMode Permissions = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private static readonly JsonSerializerOptions WriteOptions = new()
    {
        WriteIndented = true,
        IndentSize = 2,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private ConfigFile(string path, JsonObject root, bool exists, string? problem)
    {
        Path = path;
        Root = root;
        Exists = exists;
        Problem = problem;
    }

    /// <summary>Where the file is (or would be).</summary>
    public string Path { get; }

    /// <summary>The whole document; unknown sections stay in it and are written back.</summary>
    public JsonObject Root { get; }

    /// <summary>Whether the file existed when loaded.</summary>
    public bool Exists { get; }

    /// <summary>Why the existing file could not be used (it was then read as empty), or null.</summary>
    public string? Problem { get; }

    /// <summary>
    /// <c>ABSTRACTCORE_CONFIG_FILE</c> (a full path) &gt; <c>ABSTRACTCORE_CONFIG_DIR</c>/abstractcore.json &gt;
    /// <c>~/.abstractcore/config/abstractcore.json</c>. A leading <c>~</c> is the home directory.
    /// </summary>
    public static string ResolvePath(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var file = environment(FileVariable)?.Trim();
        if (!string.IsNullOrEmpty(file))
        {
            return System.IO.Path.GetFullPath(ExpandHome(file, environment));
        }

        var dir = environment(DirectoryVariable)?.Trim();
        if (!string.IsNullOrEmpty(dir))
        {
            return System.IO.Path.GetFullPath(System.IO.Path.Combine(ExpandHome(dir, environment), FileName));
        }

        return System.IO.Path.Combine(Home(environment), ".abstractcore", "config", FileName);
    }

    /// <summary>The path from the process environment.</summary>
    public static string ResolvePath() => ResolvePath(Environment.GetEnvironmentVariable);

    /// <summary><c>~</c> and <c>~/…</c> become the home directory (from <c>HOME</c> when given).</summary>
    public static string ExpandHome(string path, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path == "~")
        {
            return Home(environment);
        }

        return path.StartsWith("~/", StringComparison.Ordinal) || path.StartsWith("~\\", StringComparison.Ordinal)
            ? System.IO.Path.Combine(Home(environment), path[2..])
            : path;
    }

    private static string Home(Func<string, string?> environment)
    {
        var home = environment("HOME");
        if (string.IsNullOrEmpty(home) && OperatingSystem.IsWindows())
        {
            home = environment("USERPROFILE");
        }

        return string.IsNullOrEmpty(home) ? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) : home;
    }

    /// <summary>
    /// Reads the file. A missing file is empty. A file that is not a JSON object is read as empty with
    /// <see cref="Problem"/> set (and is backed up by <see cref="Save"/> before being replaced).
    /// I/O errors (e.g. permission denied) propagate.
    /// </summary>
    public static ConfigFile Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            return new ConfigFile(path, [], exists: false, problem: null);
        }

        var text = File.ReadAllText(path);
        try
        {
            var node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions
            {
                AllowTrailingCommas = true,
                CommentHandling = JsonCommentHandling.Skip,
            });
            return node is JsonObject root
                ? new ConfigFile(path, root, exists: true, problem: null)
                : new ConfigFile(path, [], exists: true, problem: "the file is not a JSON object");
        }
        catch (JsonException e)
        {
            return new ConfigFile(path, [], exists: true, problem: $"the file is not valid JSON ({e.Message})");
        }
    }

    /// <summary>A section object, or null when absent (or not an object).</summary>
    public JsonObject? Section(string name) => Root[name] as JsonObject;

    /// <summary>A section object, created (replacing a null or non-object value) when needed.</summary>
    public JsonObject EnsureSection(string name)
    {
        if (Root[name] is JsonObject section)
        {
            return section;
        }

        section = [];
        Root[name] = section;
        return section;
    }

    /// <summary>A value as the settings see it: strings as they are, numbers and booleans as text, lists comma-joined;
    /// null, blank and objects are "not set".</summary>
    public static string? AsText(JsonNode? node)
    {
        switch (node)
        {
            case JsonValue value when value.TryGetValue<string>(out var s):
                return string.IsNullOrWhiteSpace(s) ? null : s;
            case JsonValue value when value.TryGetValue<bool>(out var b):
                return b ? "true" : "false";
            case JsonValue value when value.GetValueKind() == JsonValueKind.Number:
                return value.ToJsonString();
            case JsonArray array:
                var items = array.Select(AsText).Where(i => i is not null).ToArray();
                return items.Length == 0 ? null : string.Join(",", items);
            default:
                return null;
        }
    }

    /// <summary>The value at <paramref name="section"/>.<paramref name="key"/> as text, or null.</summary>
    public string? GetText(string section, string key) => AsText(Section(section)?[key]);

    /// <summary>
    /// Writes the whole document: a temporary file in the same folder, created 0600, then renamed over the
    /// target (atomic on one file system). A file that could not be read as JSON is first copied to
    /// <c>&lt;file&gt;.corrupt-&lt;timestamp&gt;.bak</c>, whose path is returned.
    /// </summary>
    public string? Save(TimeProvider? time = null)
    {
        var target = ResolveLinks(Path);
        var dir = System.IO.Path.GetDirectoryName(target)!;
        if (!Directory.Exists(dir))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(dir);
            }
            else
            {
                Directory.CreateDirectory(dir, DirectoryMode);
            }
        }

        string? backup = null;
        if (Problem is not null && File.Exists(target))
        {
            var stamp = (time ?? TimeProvider.System).GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
            backup = $"{target}.corrupt-{stamp}.bak";
            File.Copy(target, backup, overwrite: true);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(backup, Permissions);
            }
        }

        var temp = System.IO.Path.Combine(dir, $".{System.IO.Path.GetFileName(target)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = Permissions;
            }

            var bytes = System.Text.Encoding.UTF8.GetBytes(Root.ToJsonString(WriteOptions) + "\n");
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            if (!OperatingSystem.IsWindows())
            {
                // The umask can only remove bits, but make the mode exact regardless.
                File.SetUnixFileMode(temp, Permissions);
            }

            File.Move(temp, target, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }

        return backup;
    }

    /// <summary>A symlinked config file is updated where it points, not replaced by a regular file.</summary>
    private static string ResolveLinks(string path)
    {
        try
        {
            var target = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true);
            return target?.FullName ?? path;
        }
        catch (IOException)
        {
            return path;
        }
    }
}

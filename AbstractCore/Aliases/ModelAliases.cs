using System.Globalization;
using System.Text.Json;
using AbstractCore.Providers;
using AbstractCore.Routing;
using Microsoft.Extensions.Configuration;

namespace AbstractCore.Aliases;

/// <summary>
/// The configured aliases, read once from <see cref="Setting"/> (the environment variable, or the config file's
/// <c>model_aliases</c> section under that name): <c>{"team/smart": {"deployments": [{"name", "model", "base_url",
/// "api_key_env", "weight", "max_concurrency", "rpm", "context_window", "content_policy_fallback"}], "strategy",
/// "resume", "first_byte_timeout_s", "stream_idle_timeout_s", "max_attempts", "cooldown_s", "failures_to_cool"}}</c>.
/// A setting that does not read is refused at startup with what to fix: an alias that silently routes nowhere would
/// only show as failures.
/// </summary>
public sealed class ModelAliases
{
    public const string Setting = "ABSTRACTCORE_MODEL_ALIASES";
    public const string FileSection = "model_aliases";

    private readonly Dictionary<string, ModelAlias> _byName;

    public ModelAliases(IEnumerable<ModelAlias> aliases) =>
        _byName = aliases.ToDictionary(a => a.Name, StringComparer.OrdinalIgnoreCase);

    public static ModelAliases None { get; } = new([]);

    public IReadOnlyCollection<ModelAlias> All => _byName.Values;

    public bool IsEmpty => _byName.Count == 0;

    /// <summary>The alias a request's model names, or null (a plain <c>provider/model</c>).</summary>
    public ModelAlias? Find(string model) => _byName.Count == 0 ? null : _byName.GetValueOrDefault(model.Trim());

    public static ModelAliases From(IConfiguration configuration) =>
        configuration[Setting] is { } json && !string.IsNullOrWhiteSpace(json) ? Parse(json) : None;

    /// <summary>The aliases in <paramref name="json"/>; <see cref="FormatException"/> naming the setting and the fault.</summary>
    public static ModelAliases Parse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Fault("", "must be a JSON object of alias names");
            }

            return new ModelAliases([.. document.RootElement.EnumerateObject().Select(p => ReadAlias(p.Name.Trim(), p.Value))]);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{Setting} (or the config file's {FileSection}) is not valid JSON: {e.Message}", e);
        }
    }

    private static ModelAlias ReadAlias(string name, JsonElement alias)
    {
        if (name.Length == 0 || alias.ValueKind != JsonValueKind.Object)
        {
            throw Fault(name, "must be an object with \"deployments\"");
        }

        if (!alias.TryGetProperty("deployments", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
        {
            throw Fault(name, "needs a non-empty \"deployments\" array");
        }

        if (list.GetArrayLength() > ModelAlias.MaxDeployments)
        {
            throw Fault(name, $"has {list.GetArrayLength()} deployments; an alias takes at most {ModelAlias.MaxDeployments}");
        }

        var deployments = list.EnumerateArray().Select((d, i) => ReadDeployment(name, d, i)).ToList();
        if (deployments.GroupBy(d => d.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw Fault(name, $"names deployment '{twice.Key}' twice: each needs its own \"name\"");
        }

        return new ModelAlias(
            name, deployments,
            Text(alias, "strategy") switch
            {
                null or "weighted" => AliasStrategy.Weighted,
                "least_busy" => AliasStrategy.LeastBusy,
                "latency" => AliasStrategy.Latency,
                var other => throw Fault(name, $"has strategy '{other}': use weighted, least_busy or latency"),
            },
            Text(alias, "resume") switch
            {
                null or "none" => AliasResume.None,
                "prefill" => AliasResume.Prefill,
                var other => throw Fault(name, $"has resume '{other}': use none or prefill"),
            },
            Seconds(name, alias, "first_byte_timeout_s"),
            Seconds(name, alias, "stream_idle_timeout_s") ?? ModelAlias.DefaultStreamIdleTimeout,
            Count(name, alias, "max_attempts") ?? Math.Max(2, deployments.Count),
            Seconds(name, alias, "cooldown_s") ?? ModelAlias.DefaultCooldown,
            Count(name, alias, "failures_to_cool") ?? ModelAlias.DefaultFailuresToCool);
    }

    private static AliasDeployment ReadDeployment(string alias, JsonElement deployment, int index)
    {
        var at = $"{alias}'s deployment {index + 1}";
        if (deployment.ValueKind != JsonValueKind.Object)
        {
            throw Fault(at, "must be an object with \"model\"");
        }

        var model = Text(deployment, "model") ?? throw Fault(at, "needs \"model\" (provider/model)");
        if (!model.Contains('/', StringComparison.Ordinal))
        {
            throw Fault(at, $"has model '{model}': name it as provider/model");
        }

        ModelRef reference;
        try
        {
            reference = ModelRef.Parse(model);
        }
        catch (GatewayException e)
        {
            throw Fault(at, e.Message);
        }

        if (ProviderCatalog.Find(reference.Provider) is null)
        {
            throw Fault(at, $"names provider '{reference.Provider}': known providers are {ProviderCatalog.KnownNames}");
        }

        var baseUrl = Text(deployment, "base_url");
        if (baseUrl is not null && (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https")))
        {
            throw Fault(at, "has a base_url that is not an absolute http(s) URL");
        }

        if (deployment.TryGetProperty("api_key", out _))
        {
            throw Fault(at, "holds a literal \"api_key\": put the key in an environment variable and name it in \"api_key_env\"");
        }

        return new AliasDeployment(
            Text(deployment, "name") ?? model, reference, baseUrl, Text(deployment, "api_key_env"),
            Count(at, deployment, "weight", allowZero: true) ?? 1,
            Count(at, deployment, "max_concurrency"), Count(at, deployment, "rpm"), Count(at, deployment, "context_window"),
            deployment.TryGetProperty("content_policy_fallback", out var c) && c.ValueKind == JsonValueKind.True);
    }

    private static string? Text(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(v.GetString())
            ? v.GetString()!.Trim()
            : null;

    private static TimeSpan? Seconds(string at, JsonElement obj, string name) =>
        !obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.TryGetDouble(out var s) && s > 0 ? TimeSpan.FromSeconds(s)
        : throw Fault(at, $"has {name} {v.GetRawText()}: use a number of seconds above 0");

    private static int? Count(string at, JsonElement obj, string name, bool allowZero = false) =>
        !obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) && (n > 0 || (allowZero && n == 0)) ? n
        : throw Fault(at, $"has {name} {v.GetRawText()}: use a whole number {(allowZero ? "of 0 or more" : "above 0")}");

    private static FormatException Fault(string at, string problem) => new(string.Format(
        CultureInfo.InvariantCulture, "{0} (or the config file's {1}): {2} {3}.", Setting, FileSection,
        at.Length == 0 ? "the value" : $"alias '{at}'", problem));
}

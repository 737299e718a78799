using System.Globalization;
using System.Text.Json;

namespace AbstractCore.Api.Keys;

/// <summary>
/// The fields of <c>POST /acore/keys</c> and <c>PATCH /acore/keys/{id}</c>, applied onto a key. Every field is checked
/// here, and a field this API does not know is refused (a typo such as <c>budget</c> must not silently mean "no budget").
/// In a PATCH, <c>null</c> removes a limit.
/// </summary>
internal static class KeyBody
{
    private static readonly string[] Fields =
        ["name", "owner", "models", "routes", "rpm", "tpm", "max_parallel", "budget_usd", "budget_period", "expires_at", "scopes", "cache", "disabled"];

    public static VirtualKey Apply(JsonElement body, VirtualKey key)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw GatewayException.BadRequest("The body must be a JSON object.");
        }

        foreach (var field in body.EnumerateObject())
        {
            var v = field.Value;
            var isNull = v.ValueKind == JsonValueKind.Null;
            key = field.Name switch
            {
                "name" => key with { Name = NonEmpty(v, "name") },
                "owner" => key with { Owner = isNull ? null : Text(v, "owner") },
                "models" => key with { Models = isNull ? null : Globs(v, "models", mustStartWithSlash: false) },
                "routes" => key with { Routes = isNull ? null : Globs(v, "routes", mustStartWithSlash: true) },
                "rpm" => key with { Rpm = isNull ? null : (int)Positive(v, "rpm", int.MaxValue) },
                "tpm" => key with { Tpm = isNull ? null : Positive(v, "tpm", long.MaxValue) },
                "max_parallel" => key with { MaxParallel = isNull ? null : (int)Positive(v, "max_parallel", int.MaxValue) },
                "budget_usd" => key with { BudgetUsd = isNull ? null : Budget(v) },
                "budget_period" => key with { BudgetPeriod = isNull ? null : Period(v) },
                "expires_at" => key with { ExpiresAt = isNull ? null : Expiry(v) },
                "scopes" => key with { Scopes = isNull ? null : Scopes(v) },
                "cache" => key with { Cache = isNull ? null : Cache(v) },
                "disabled" => key with { Disabled = v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : throw Wrong("disabled", "true or false") },
                _ => throw GatewayException.BadRequest(
                    $"Unknown field '{field.Name}'. A key takes: {string.Join(", ", Fields)}.", field.Name, "unknown_parameter"),
            };
        }

        return key;
    }

    private static string Text(JsonElement v, string field) =>
        v.ValueKind == JsonValueKind.String ? v.GetString()! : throw Wrong(field, "a string");

    private static string NonEmpty(JsonElement v, string field) =>
        Text(v, field).Trim() is { Length: > 0 and <= 200 } s ? s : throw Wrong(field, "a non-empty string of at most 200 characters");

    private static string[] Globs(JsonElement v, string field, bool mustStartWithSlash)
    {
        if (v.ValueKind != JsonValueKind.Array)
        {
            throw Wrong(field, mustStartWithSlash ? "an array of route globs such as \"/v1/chat/completions\" or \"/v1/*\"" : "an array of model globs such as \"openai/*\"");
        }

        var globs = new List<string>();
        foreach (var item in v.EnumerateArray())
        {
            var glob = item.ValueKind == JsonValueKind.String ? item.GetString()!.Trim() : "";
            if (glob.Length == 0 || (mustStartWithSlash && !glob.StartsWith('/')))
            {
                throw Wrong(field, mustStartWithSlash ? "route globs starting with '/'" : "non-empty model globs");
            }

            globs.Add(glob);
        }

        return [.. globs];
    }

    private static long Positive(JsonElement v, string field, long max) =>
        v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) && n > 0 && n <= max ? n : throw Wrong(field, "a positive whole number");

    private static decimal Budget(JsonElement v) =>
        v.ValueKind == JsonValueKind.Number && v.TryGetDecimal(out var d) && d >= 0 ? d : throw Wrong("budget_usd", "a number of US dollars, 0 or more");

    private static string Period(JsonElement v) =>
        v.ValueKind == JsonValueKind.String && Array.IndexOf(BudgetPeriods.All, v.GetString()) >= 0
            ? v.GetString()!
            : throw Wrong("budget_period", "one of " + string.Join(", ", BudgetPeriods.All));

    private static DateTimeOffset Expiry(JsonElement v)
    {
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var seconds))
        {
            return DateTimeOffset.FromUnixTimeSeconds(seconds);
        }

        return v.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(v.GetString(), CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            ? at
            : throw Wrong("expires_at", "an ISO 8601 date-time or Unix seconds");
    }

    private static string[] Scopes(JsonElement v)
    {
        if (v.ValueKind != JsonValueKind.Array || v.EnumerateArray().Any(s => s.ValueKind != JsonValueKind.String || s.GetString() != KeyScopes.Admin))
        {
            throw Wrong("scopes", "an array of scopes; the one scope is \"admin\"");
        }

        return v.GetArrayLength() == 0 ? [] : [KeyScopes.Admin];
    }

    private static KeyCache Cache(JsonElement v) =>
        v.ValueKind == JsonValueKind.Object && v.TryGetProperty("ttl_s", out var ttl) && ttl.ValueKind == JsonValueKind.Number
        && ttl.TryGetDouble(out var seconds) && seconds > 0 && v.EnumerateObject().Count() == 1
            ? new KeyCache(seconds)
            : throw Wrong("cache", "an object {\"ttl_s\": seconds}");

    private static GatewayException Wrong(string field, string expected) =>
        GatewayException.BadRequest($"'{field}' must be {expected}.", field, "invalid_value");
}

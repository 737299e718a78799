using System.Globalization;
using System.Text.Json;

namespace AbstractCore.Spend;

/// <summary>
/// The price table's JSON format, the same for the built-in defaults, the operator's file and the config file's
/// <c>prices</c> section: <c>{"version": 1, "defaults": true, "models": {"pattern": {"input_per_mtok": 2.5, …}}}</c>.
/// Keys starting with <c>_</c> are comments. Anything else is refused with where and what: a misspelt field read as
/// "no price" would bill a model at 0 without anyone noticing.
/// </summary>
internal sealed record PriceFile(bool KeepDefaults, IReadOnlyDictionary<string, ModelPrice> Models)
{
    public const int Version = 1;
    public const string DefaultResource = "AbstractCore.Spend.prices.default.json";

    private static readonly string[] TopFields = ["version", "defaults", "models"];

    private static readonly string[] PriceFields =
    [
        ModelPrice.InputField, ModelPrice.OutputField, ModelPrice.CachedInputField,
        ModelPrice.ImageField, ModelPrice.AudioSecondField, ModelPrice.MillionCharsField,
    ];

    private static readonly JsonDocumentOptions Options = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    private static readonly Lazy<PriceFile> BuiltIn = new(ReadDefaults);

    /// <summary>The list prices shipped in the assembly (<c>prices.default.json</c>).</summary>
    public static PriceFile Defaults => BuiltIn.Value;

    /// <summary>Reads <paramref name="json"/>; <see cref="FormatException"/> naming <paramref name="source"/> and the fault.</summary>
    public static PriceFile Parse(string json, string source)
    {
        try
        {
            using var document = JsonDocument.Parse(json, Options);
            return Read(document.RootElement, source);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{source}: not valid JSON ({e.Message})", e);
        }
    }

    private static PriceFile Read(JsonElement root, string source)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Fault(source, "the top level must be a JSON object with \"models\"");
        }

        var keepDefaults = true;
        var models = new Dictionary<string, ModelPrice>(StringComparer.OrdinalIgnoreCase);
        foreach (var field in root.EnumerateObject())
        {
            switch (field.Name)
            {
                case "version" when field.Value.ValueKind != JsonValueKind.Number || !field.Value.TryGetInt32(out var v) || v != Version:
                    throw Fault(source, $"version {field.Value.GetRawText()} is not supported: this gateway reads version {Version}");
                case "version":
                    break;
                case "defaults" when field.Value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                    keepDefaults = field.Value.GetBoolean();
                    break;
                case "defaults":
                    throw Fault(source, $"defaults must be true or false (got {field.Value.GetRawText()})");
                case "models" when field.Value.ValueKind == JsonValueKind.Object:
                    foreach (var model in field.Value.EnumerateObject())
                    {
                        if (model.Name.StartsWith('_'))
                        {
                            continue;
                        }

                        var pattern = model.Name.Trim();
                        if (pattern.Length == 0)
                        {
                            throw Fault(source, "a model has an empty name");
                        }

                        if (!models.TryAdd(pattern, ReadPrice(source, pattern, model.Value)))
                        {
                            throw Fault(source, $"model '{pattern}' is priced twice (names are compared without case)");
                        }
                    }

                    break;
                case "models":
                    throw Fault(source, "\"models\" must be an object of model names");
                case var name when name.StartsWith('_'):
                    break;
                default:
                    throw Fault(source, $"unknown field '{field.Name}': use {string.Join(", ", TopFields)} (or _comments)");
            }
        }

        return new PriceFile(keepDefaults, models);
    }

    private static ModelPrice ReadPrice(string source, string model, JsonElement entry)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            throw Fault(source, $"model '{model}' must be an object of prices ({string.Join(", ", PriceFields)})");
        }

        var price = new ModelPrice();
        foreach (var field in entry.EnumerateObject())
        {
            if (field.Name.StartsWith('_'))
            {
                continue;
            }

            if (!PriceFields.Contains(field.Name, StringComparer.Ordinal))
            {
                throw Fault(source, $"model '{model}' has an unknown field '{field.Name}': use {string.Join(", ", PriceFields)}");
            }

            if (field.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            if (field.Value.ValueKind != JsonValueKind.Number || !field.Value.TryGetDecimal(out var usd) || usd < 0)
            {
                throw Fault(source, $"model '{model}' has {field.Name} {field.Value.GetRawText()}: use a number of USD, 0 or more");
            }

            price = field.Name switch
            {
                ModelPrice.InputField => price with { InputPerMTok = usd },
                ModelPrice.OutputField => price with { OutputPerMTok = usd },
                ModelPrice.CachedInputField => price with { CachedInputPerMTok = usd },
                ModelPrice.ImageField => price with { PerImage = usd },
                ModelPrice.AudioSecondField => price with { PerAudioSecond = usd },
                _ => price with { PerMChar = usd },
            };
        }

        return price;
    }

    private static PriceFile ReadDefaults()
    {
        using var stream = typeof(PriceFile).Assembly.GetManifestResourceStream(DefaultResource)
            ?? throw new InvalidOperationException($"The built-in price table ({DefaultResource}) is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), "the built-in price table (prices.default.json)");
    }

    private static FormatException Fault(string source, string problem) =>
        new(string.Format(CultureInfo.InvariantCulture, "{0}: {1}.", source, problem));
}

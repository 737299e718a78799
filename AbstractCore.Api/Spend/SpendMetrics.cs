using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using AbstractCore.Api.Telemetry;

namespace AbstractCore.Api.Spend;

/// <summary>
/// Spend by key on the gateway's meter (<c>AbstractCore.Api</c>), each tagged with the key id, provider and model:
/// cost in USD, tokens by type, and requests by whether the response cache answered. Nothing is built while nobody listens.
/// </summary>
internal sealed class SpendMetrics
{
    /// <summary>Counter (double, USD): what the priced requests cost.</summary>
    public const string CostInstrument = "abstractcore.spend.cost";

    /// <summary>Counter <c>{token}</c>, by <c>gen_ai.token.type</c> (input, output).</summary>
    public const string TokensInstrument = "abstractcore.spend.tokens";

    /// <summary>Counter <c>{request}</c>, by <c>cache</c> (hit, miss).</summary>
    public const string RequestsInstrument = "abstractcore.spend.requests";

    public const string KeyTag = "abstractcore.key.id";
    public const string CacheTag = "cache";

    private readonly Counter<double> _cost;
    private readonly Counter<long> _tokens;
    private readonly Counter<long> _requests;

    [SuppressMessage("Reliability", "CA2000", Justification = "The IMeterFactory owns and disposes the meters it creates.")]
    public SpendMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(GatewayTelemetry.Name);
        _cost = meter.CreateCounter<double>(CostInstrument, "USD", "What requests cost, by virtual key.");
        _tokens = meter.CreateCounter<long>(TokensInstrument, "{token}", "Tokens used, by virtual key.");
        _requests = meter.CreateCounter<long>(RequestsInstrument, "{request}", "Requests that cost money, by virtual key.");
    }

    public void Record(SpendEntry entry)
    {
        if (!_cost.Enabled && !_tokens.Enabled && !_requests.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { KeyTag, entry.KeyId },
            { GenAiConventions.ProviderName, entry.Provider },
            { GenAiConventions.RequestModel, entry.Model },
        };
        var usage = entry.Priced.Usage;
        _cost.Add((double)entry.Priced.CostUsd, tags);
        if (_tokens.Enabled)
        {
            var input = tags;
            input.Add(GenAiConventions.TokenType, GenAiConventions.InputTokenType);
            _tokens.Add(usage.InputTokens, input);
            var output = tags;
            output.Add(GenAiConventions.TokenType, GenAiConventions.OutputTokenType);
            _tokens.Add(usage.OutputTokens, output);
        }

        tags.Add(CacheTag, entry.CacheHit ? "hit" : "miss");
        _requests.Add(1, tags);
    }
}

using System.Globalization;
using AbstractCore.Spend;

namespace AbstractCore.Api.Spend;

/// <summary>
/// What one request consumed, per call it made, as a request feature: the one accounting path of every route that costs
/// money. Handlers <see cref="Charge"/> the upstream's usage as soon as they know it; while the answer's headers are not
/// sent yet, the request's cost so far goes out as <c>X-AbstractCore-Cost</c>. A stream keeps a running count with
/// <see cref="Progress"/>, so a client that leaves is still billed for what the upstream generated until the call was
/// cancelled. The request's end (<see cref="Metering"/>) records every line.
/// </summary>
internal sealed class RequestBill(PriceTable prices, HttpResponse response)
{
    public const string CostHeader = "X-AbstractCore-Cost";

    private readonly List<Line> _lines = new(1);

    /// <summary>One call's usage within the request, priced. <see cref="Final"/>: the upstream's own figures.</summary>
    internal sealed record Line(string Provider, string Model, string? Alias, PricedUsage Priced, bool Final);

    public IReadOnlyList<Line> Lines => _lines;

    /// <summary>The answer came from the exact response cache: it cost nothing, and is counted as a hit.</summary>
    public bool CacheHit { get; private set; }

    public decimal CostUsd
    {
        get
        {
            var total = 0m;
            foreach (var line in _lines)
            {
                total += line.Priced.CostUsd;
            }

            return total;
        }
    }

    /// <summary>The upstream's own figures for a call; replaces the running count <see cref="Progress"/> kept for it.</summary>
    public void Charge(string provider, string model, Usage usage, string? alias = null)
    {
        Set(new Line(provider, model, alias, prices.Price(provider, model, alias, usage), Final: true));
        if (!response.HasStarted)
        {
            response.Headers[CostHeader] = CostUsd.ToString("0.########", CultureInfo.InvariantCulture);
        }
    }

    /// <summary>A running count for a call still streaming; it stands if no <see cref="Charge"/> follows (the client left).</summary>
    public void Progress(string provider, string model, Usage counted, string? alias = null) =>
        Set(new Line(provider, model, alias, prices.Price(provider, model, alias, counted with { Estimated = true }), Final: false));

    /// <summary>Answered from the exact response cache: no call, no cost.</summary>
    public void Hit(string provider, string model)
    {
        CacheHit = true;
        _lines.Add(new Line(provider, model, null, new PricedUsage(Usage.None, 0, Priced: true), Final: true));
        if (!response.HasStarted)
        {
            response.Headers[CostHeader] = "0";
        }
    }

    /// <summary>Replaces the open (running) line of the same call, else adds one: each attempt of an alias and each call
    /// of a tool loop is a line of its own.</summary>
    private void Set(Line line)
    {
        for (var i = _lines.Count - 1; i >= 0; i--)
        {
            var l = _lines[i];
            if (!l.Final && l.Provider == line.Provider && l.Model == line.Model)
            {
                _lines[i] = line;
                return;
            }
        }

        _lines.Add(line);
    }

    public static RequestBill? Of(HttpContext context) => context.Features.Get<RequestBill>();
}

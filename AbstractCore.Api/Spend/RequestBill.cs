using AbstractCore.Spend;

namespace AbstractCore.Api.Spend;

/// <summary>
/// What one request consumed, per model it called, as a request feature: the one accounting path of every route that
/// costs money. Handlers <see cref="Charge"/> the upstream's usage as soon as they know it (before the answer's body, so
/// the cost can go out as a header); a stream reports what has arrived so far with <see cref="Progress"/>, so a client
/// that leaves is still billed for what the upstream generated until the call was cancelled.
/// </summary>
internal sealed class RequestBill
{
    private readonly List<Line> _lines = new(1);

    /// <summary>One model's usage within the request.</summary>
    internal sealed record Line(string Provider, string Model, Usage Usage, bool Final);

    public IReadOnlyList<Line> Lines => _lines;

    /// <summary>The answer came from the exact response cache: it costs nothing, and is counted as a hit.</summary>
    public bool CacheHit { get; set; }

    /// <summary>The upstream's own figures for a call; replaces the running count <see cref="Progress"/> kept for it.</summary>
    public void Charge(string provider, string model, Usage usage) => Set(new Line(provider, model, usage, Final: true));

    /// <summary>A running count for a call still streaming; it stands if no <see cref="Charge"/> follows (the client left).</summary>
    public void Progress(string provider, string model, Usage counted) =>
        Set(new Line(provider, model, counted with { Estimated = true }, Final: false));

    /// <summary>Replaces the open (running) line of the same model, else adds one: each call of an alias's attempts or
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

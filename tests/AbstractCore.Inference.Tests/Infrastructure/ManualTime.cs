namespace AbstractCore.Inference.Tests.Infrastructure;

/// <summary>A clock the test moves by hand (TTL tests without waiting).</summary>
public sealed class ManualTime : TimeProvider
{
    private DateTimeOffset _now = new(2026, 11, 26, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

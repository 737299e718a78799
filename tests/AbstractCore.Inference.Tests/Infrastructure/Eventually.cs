namespace AbstractCore.Inference.Tests.Infrastructure;

/// <summary>Waits for a state the test cannot await directly (a request reaching the queue). Not a timing assertion:
/// the bound only keeps a broken build from hanging forever.</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Never happened: {what}");
            }

            await Task.Delay(5);
        }
    }
}

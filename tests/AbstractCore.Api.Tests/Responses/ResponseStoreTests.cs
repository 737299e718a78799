using AbstractCore.OpenAI.Responses;
using AbstractCore.Responses;

namespace AbstractCore.Api.Tests.Responses;

/// <summary>The in-memory response store: entries expire after the TTL, and past capacity the oldest go first.</summary>
public sealed class ResponseStoreTests
{
    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static StoredResponse Entry(string id) => new(new ResponseObject { Id = id, Model = "m" }, []);

    [Fact]
    public async Task Entries_expire_after_the_ttl()
    {
        var time = new ManualTime();
        var store = new InMemoryResponseStore(TimeSpan.FromMinutes(10), 100, time);
        await store.SaveAsync(Entry("resp_a"), default);

        time.Now += TimeSpan.FromMinutes(9);
        Assert.NotNull(await store.GetAsync("resp_a", default));
        time.Now += TimeSpan.FromMinutes(2);
        Assert.Null(await store.GetAsync("resp_a", default));
        Assert.False(await store.DeleteAsync("resp_a", default));
    }

    [Fact]
    public async Task Past_capacity_the_oldest_entries_are_dropped()
    {
        var time = new ManualTime();
        var store = new InMemoryResponseStore(TimeSpan.FromHours(1), 2, time);
        foreach (var id in (string[])["resp_1", "resp_2", "resp_3"])
        {
            await store.SaveAsync(Entry(id), default);
            time.Now += TimeSpan.FromSeconds(1);
        }

        Assert.Null(await store.GetAsync("resp_1", default));
        Assert.NotNull(await store.GetAsync("resp_2", default));
        Assert.NotNull(await store.GetAsync("resp_3", default));
        Assert.True(await store.DeleteAsync("resp_3", default));
        Assert.Null(await store.GetAsync("resp_3", default));
    }
}

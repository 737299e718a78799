using AbstractCore.Api.Spend;
using static AbstractCore.Api.Tests.Spend.SpendTestKit;

namespace AbstractCore.Api.Tests.Spend;

/// <summary>The standalone ledger's <c>spend.json</c>: where it lives, and that a new ledger reads what the last one wrote.</summary>
public sealed class SpendFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("acore-spend-").FullName;

    private string FilePath => Path.Combine(_dir, "spend", SpendFile.FileName);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_new_ledger_reads_the_spend_the_last_one_wrote()
    {
        var key = Key("k1", "daily");
        using (var first = Ledger(Local(FilePath)))
        {
            first.Record(Entry("k1", 0.5m, input: 100, output: 20));
            first.Record(Entry("k1", 0.25m, model: "gpt-4o-mini", cacheHit: true));
            first.Record(Entry("k2", 0m, priced: false, estimated: true));
            Assert.True(await first.FlushAsync());
            await first.PersistAsync(CancellationToken.None);
            Assert.True(File.Exists(FilePath));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(FilePath));
            }
        }

        using var second = Ledger(Local(FilePath));

        Assert.Equal(0.75m, second.SpentInPeriod(key)); // before any flush: read from the file at start
        var rows = await RowsAsync(second);
        Assert.Equal(
            [("k1", "gpt-4o", 1L, 0L, 100L, 0.5m, 0L), ("k1", "gpt-4o-mini", 1L, 1L, 10L, 0.25m, 0L), ("k2", "gpt-4o", 1L, 0L, 10L, 0m, 1L)],
            rows.Select(r => (r.KeyId!, r.Model!, r.Requests, r.CacheHits, r.InputTokens, r.CostUsd, r.UnpricedRequests)));
        Assert.Equal(1, rows[2].EstimatedRequests);
        Assert.Equal("k1-name", rows[0].KeyName);

        second.Record(Entry("k1", 1m));
        Assert.Equal(1.75m, second.SpentInPeriod(key));
    }

    [Fact]
    public async Task A_file_that_is_not_the_ledger_is_kept_aside_and_the_ledger_starts_empty()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        await File.WriteAllTextAsync(FilePath, "{ not json");

        using var ledger = Ledger(Local(FilePath));

        Assert.Empty(await RowsAsync(ledger));
        var backup = Assert.Single(Directory.GetFiles(Path.GetDirectoryName(FilePath)!, SpendFile.FileName + ".corrupt-*.bak"));
        Assert.Equal("{ not json", await File.ReadAllTextAsync(backup));
    }

    [Fact]
    public void The_file_is_in_the_home_beside_the_config_folder_or_follows_a_moved_config_file()
    {
        string? Resolve(params (string Name, string Value)[] settings) =>
            SpendFile.Resolve(name => settings.FirstOrDefault(s => s.Name == name).Value);

        Assert.Equal(Path.Combine("/home/u", ".abstractcore", "spend", "spend.json"), Resolve(("HOME", "/home/u")));
        Assert.Equal(Path.Combine("/etc/acore", "spend", "spend.json"), Resolve(("HOME", "/home/u"), ("ABSTRACTCORE_CONFIG_DIR", "/etc/acore")));
        Assert.Equal(Path.Combine("/srv/conf", "spend", "spend.json"), Resolve(("ABSTRACTCORE_CONFIG_FILE", "/srv/conf/gateway.json")));
        Assert.Null(Resolve(("HOME", "/home/u"), ("ABSTRACTCORE_SERVER_DISABLE_CENTRALIZED_CONFIG", "1")));
    }
}

using AbstractCore.Blocs;

namespace AbstractCore.Api.Tests.Blocs;

/// <summary>The file store: the contract, plus what files give: a new instance (a restart) finds everything, and no
/// write leaves a partial or temporary file behind.</summary>
public sealed class FileBlocStoreTests : BlocStoreContract, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("acore-blocs-test-").FullName;
    private readonly FileBlocStore _store;

    public FileBlocStoreTests() => _store = new FileBlocStore(_folder);

    protected override IBlocStore Store => _store;

    protected override Task<int> StoredTextsAsync() => Task.FromResult(
        Directory.Exists(Path.Combine(_folder, "content")) ? Directory.GetFiles(Path.Combine(_folder, "content")).Length : 0);

    public void Dispose()
    {
        _store.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_new_instance_on_the_same_folder_finds_every_record_text_and_the_next_id()
    {
        var a = await _store.UpsertAsync(Draft("kept"), "kept", default);

        using var restarted = new FileBlocStore(_folder);
        var found = await restarted.GetAsync(new BlocSelector(null, a.BlocId), default);
        var next = await restarted.UpsertAsync(Draft("after restart"), "after restart", default);

        Assert.Equal(a.ToJson().ToJsonString(), found!.ToJson().ToJsonString());
        Assert.Equal("kept", await restarted.GetTextAsync(found, default));
        Assert.Equal(a.BlocId + 1, next.BlocId);
    }

    [Fact]
    public async Task Writes_leave_only_whole_files_and_no_temporary_ones()
    {
        for (var i = 0; i < 20; i++)
        {
            await _store.UpsertAsync(Draft("text " + i), "text " + i, default);
        }

        var files = Directory.GetFiles(_folder, "*", SearchOption.AllDirectories);
        Assert.DoesNotContain(files, f => f.EndsWith(".tmp", StringComparison.Ordinal));
        Assert.All(Directory.GetFiles(Path.Combine(_folder, "records")), f => Assert.NotNull(BlocRecord.FromJson(File.ReadAllText(f))));
        Assert.Equal(20, (await _store.ListAsync(default, default)).Count);
    }

    [Fact]
    public async Task A_temporary_file_left_by_a_crash_mid_write_is_not_read_as_a_record()
    {
        var a = await _store.UpsertAsync(Draft("whole"), "whole", default);
        // What a crash between the temporary write and the rename leaves: a partial file beside the records.
        await File.WriteAllTextAsync(Path.Combine(_folder, "records", $".{a.Sha256}.json.0123.tmp"), "{\"sha256\":\"ab");

        using var restarted = new FileBlocStore(_folder);
        var listed = await restarted.ListAsync(default, default);

        Assert.Equal(a.ToJson().ToJsonString(), Assert.Single(listed).ToJson().ToJsonString());
    }

    [Fact]
    public async Task A_temporary_store_removes_its_folder_when_disposed()
    {
        var store = (FileBlocStore)BlocStores.Temporary();
        await store.UpsertAsync(Draft("gone"), "gone", default);
        Assert.True(Directory.Exists(store.Root));

        store.Dispose();

        Assert.False(Directory.Exists(store.Root));
    }
}

using System.Security.Cryptography;
using System.Text;
using AbstractCore.Blocs;

namespace AbstractCore.Api.Tests.Blocs;

/// <summary>What every bloc store does, run against each (files, Redis): ids, the selector rules, text kept once per
/// content hash, deletes that drop text no record uses.</summary>
public abstract class BlocStoreContract
{
    protected abstract IBlocStore Store { get; }

    /// <summary>How many texts the store holds.</summary>
    protected abstract Task<int> StoredTextsAsync();

    public static BlocRecord Draft(string text, string? sha256 = null, string path = "docs/a.md") => new()
    {
        Sha256 = sha256 ?? Hash(text),
        Path = path,
        SizeBytes = Encoding.UTF8.GetByteCount(text),
        MtimeNs = 1_764_000_000_123_456_789,
        Keywords = ["k1", "k2"],
        ContentSha256 = Hash(text),
    };

    public static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public async Task Upserts_give_ids_in_order_and_the_same_sha256_keeps_its_id()
    {
        var a = await Store.UpsertAsync(Draft("alpha"), "alpha", default);
        var b = await Store.UpsertAsync(Draft("beta"), "beta", default);
        var again = await Store.UpsertAsync(Draft("alpha", path: "docs/renamed.md"), "alpha", default);

        Assert.True(b.BlocId > a.BlocId);
        Assert.Equal(a.BlocId, again.BlocId);
        var listed = await Store.ListAsync(default, default);
        Assert.Equal([a.BlocId, b.BlocId], listed.Select(r => r.BlocId));
        Assert.Equal("docs/renamed.md", listed[0].Path);
        Assert.Equal(1_764_000_000_123_456_789, listed[0].MtimeNs);
        Assert.Equal(["k1", "k2"], listed[0].Keywords);
    }

    [Fact]
    public async Task The_text_is_stored_once_whatever_the_number_of_upserts_and_records()
    {
        for (var i = 0; i < 5; i++)
        {
            await Store.UpsertAsync(Draft("shared text"), "shared text", default);
        }

        // Two blocs (two source files, say) with the same extracted text.
        await Store.UpsertAsync(Draft("shared text", sha256: new string('c', 64)), "shared text", default);

        Assert.Equal(2, (await Store.ListAsync(default, default)).Count);
        Assert.Equal(1, await StoredTextsAsync());
    }

    [Fact]
    public async Task Records_are_found_by_sha256_first_then_by_bloc_id()
    {
        var a = await Store.UpsertAsync(Draft("one"), "one", default);
        var b = await Store.UpsertAsync(Draft("two"), "two", default);

        Assert.Equal(a.Sha256, (await Store.GetAsync(new BlocSelector(a.Sha256, null), default))!.Sha256);
        Assert.Equal(b.Sha256, (await Store.GetAsync(new BlocSelector(null, b.BlocId), default))!.Sha256);
        Assert.Null(await Store.GetAsync(new BlocSelector(null, 999), default));
        Assert.Null(await Store.GetAsync(new BlocSelector(new string('f', 64), null), default));
        Assert.Equal("two", await Store.GetTextAsync(b, default));
        Assert.Single(await Store.ListAsync(new BlocSelector(null, a.BlocId), default));
    }

    [Fact]
    public async Task A_delete_drops_the_text_only_when_no_record_uses_it()
    {
        var a = await Store.UpsertAsync(Draft("same"), "same", default);
        var twin = await Store.UpsertAsync(Draft("same", sha256: new string('d', 64)), "same", default);

        Assert.True(await Store.DeleteAsync(a.Sha256, default));
        Assert.Equal("same", await Store.GetTextAsync(twin, default));
        Assert.Equal(1, await StoredTextsAsync());

        Assert.True(await Store.DeleteAsync(twin.Sha256, default));
        Assert.False(await Store.DeleteAsync(twin.Sha256, default));
        Assert.Equal(0, await StoredTextsAsync());
        Assert.Empty(await Store.ListAsync(default, default));
    }

    [Fact]
    public async Task New_text_for_a_sha256_replaces_the_old_text_which_goes()
    {
        var sha = new string('e', 64);
        var first = await Store.UpsertAsync(Draft("first", sha), "first", default);
        var second = await Store.UpsertAsync(Draft("second", sha), "second", default);

        Assert.Equal(first.BlocId, second.BlocId);
        Assert.Equal("second", await Store.GetTextAsync(second, default));
        Assert.Equal(1, await StoredTextsAsync());
    }

    [Fact]
    public async Task An_id_is_never_given_twice_even_after_a_delete()
    {
        var a = await Store.UpsertAsync(Draft("x1"), "x1", default);
        await Store.DeleteAsync(a.Sha256, default);
        var b = await Store.UpsertAsync(Draft("x2"), "x2", default);
        var back = await Store.UpsertAsync(Draft("x1"), "x1", default);

        Assert.True(b.BlocId > a.BlocId);
        Assert.True(back.BlocId > b.BlocId);
    }
}

using AbstractCore.Security;
using Microsoft.Extensions.Configuration;

namespace AbstractCore.Tests.Security;

/// <summary>Each test gets a scratch tree: root/ (the media root) beside outside/ (never readable through the root).</summary>
public sealed class LocalFilePolicyTests : IDisposable
{
    private readonly string _base = Directory.CreateTempSubdirectory("acore-media-").FullName;

    public LocalFilePolicyTests()
    {
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Path.Join(Root, "docs"));
        Directory.CreateDirectory(Outside);
        Directory.CreateDirectory(Path.Join(Outside, "deep"));
        File.WriteAllText(Path.Join(Root, "a.txt"), "inside");
        File.WriteAllText(Path.Join(Root, "docs", "b.txt"), "inside");
        File.WriteAllText(Path.Join(Outside, "secret.txt"), "outside");
        File.WriteAllText(Path.Join(Outside, "x.txt"), "outside");
    }

    private string Root => Path.Join(_base, "root");

    private string Outside => Path.Join(_base, "outside");

    public void Dispose() => Directory.Delete(_base, recursive: true);

    [Fact]
    public void Disabled_without_root_or_flag()
    {
        var policy = new LocalFilePolicy(null, allowLocalFiles: false);

        var ex = Assert.Throws<GatewayException>(() => policy.Resolve(Path.Join(Root, "a.txt")));

        Assert.False(policy.Enabled);
        Assert.Equal(403, ex.Status);
        Assert.Equal(LocalFilePolicy.DisabledMessage, ex.Message);
    }

    [Theory]
    [InlineData("a.txt")]
    [InlineData("./a.txt")]
    [InlineData("docs/b.txt")]
    [InlineData("docs/../a.txt")]
    [InlineData("docs//b.txt")]
    public void Relative_paths_are_joined_to_the_root(string path)
    {
        var policy = new LocalFilePolicy(Root, allowLocalFiles: false);

        var resolved = policy.Resolve(path);

        Assert.StartsWith(policy.Root + "/", resolved);
        Assert.True(File.Exists(resolved));
    }

    [Fact]
    public void An_absolute_path_inside_the_root_is_accepted()
    {
        var policy = new LocalFilePolicy(Root, allowLocalFiles: false);
        Assert.Equal(Path.Join(policy.Root, "docs", "b.txt"), policy.Resolve(Path.Join(Root, "docs", "b.txt")));
    }

    [Theory]
    [InlineData("../outside/secret.txt")]
    [InlineData("docs/../../outside/secret.txt")]
    [InlineData("/etc/passwd")]
    [InlineData("{outside}/secret.txt")]
    [InlineData("{root}/../outside/secret.txt")]
    [InlineData("{root}-sibling/x.txt")]
    public void Paths_outside_the_root_are_refused(string path)
    {
        var policy = new LocalFilePolicy(Root, allowLocalFiles: false);

        var ex = Assert.Throws<GatewayException>(() => policy.Resolve(path.Replace("{outside}", Outside).Replace("{root}", Root)));

        Assert.Equal(403, ex.Status);
        Assert.StartsWith($"Local file path is outside ABSTRACTCORE_SERVER_MEDIA_ROOT. root={policy.Root} path=", ex.Message);
    }

    [Fact]
    public void A_symlinked_file_escaping_the_root_is_refused()
    {
        File.CreateSymbolicLink(Path.Join(Root, "innocent.txt"), Path.Join(Outside, "secret.txt"));
        var policy = new LocalFilePolicy(Root, allowLocalFiles: false);

        var ex = Assert.Throws<GatewayException>(() => policy.Resolve("innocent.txt"));

        Assert.Equal(403, ex.Status);
        Assert.EndsWith($"path={Path.Join(Outside, "secret.txt")}", ex.Message);
    }

    [Fact]
    public void A_symlinked_directory_escaping_the_root_is_refused()
    {
        Directory.CreateSymbolicLink(Path.Join(Root, "shared"), Outside);
        var policy = new LocalFilePolicy(Root, allowLocalFiles: false);

        var ex = Assert.Throws<GatewayException>(() => policy.Resolve("shared/secret.txt"));

        Assert.Equal(403, ex.Status);
    }

    [Fact]
    public void Dot_dot_after_a_symlink_climbs_from_its_target()
    {
        // root/jump → outside/deep, so root/jump/../x.txt is outside/x.txt (a lexical join would say root/x.txt).
        Directory.CreateSymbolicLink(Path.Join(Root, "jump"), Path.Join(Outside, "deep"));
        File.WriteAllText(Path.Join(Root, "x.txt"), "decoy inside");
        var policy = new LocalFilePolicy(Root, allowLocalFiles: false);

        var ex = Assert.Throws<GatewayException>(() => policy.Resolve("jump/../x.txt"));

        Assert.Equal(403, ex.Status);
        Assert.EndsWith($"path={Path.Join(Outside, "x.txt")}", ex.Message);
    }

    [Fact]
    public void A_relative_symlink_chain_staying_inside_is_followed()
    {
        File.CreateSymbolicLink(Path.Join(Root, "docs", "latest"), "b.txt");
        File.CreateSymbolicLink(Path.Join(Root, "current"), "docs/latest");
        var policy = new LocalFilePolicy(Root, allowLocalFiles: false);

        Assert.Equal(Path.Join(policy.Root, "docs", "b.txt"), policy.Resolve("current"));
    }

    [Fact]
    public void A_symlinked_root_is_resolved_first()
    {
        var alias = Path.Join(_base, "alias");
        Directory.CreateSymbolicLink(alias, Root);
        var policy = new LocalFilePolicy(alias, allowLocalFiles: false);

        Assert.Equal(Root, policy.Root);
        Assert.Equal(Path.Join(Root, "a.txt"), policy.Resolve(Path.Join(alias, "a.txt")));
    }

    [Fact]
    public void A_symlink_loop_is_refused()
    {
        File.CreateSymbolicLink(Path.Join(Root, "loop1"), "loop2");
        File.CreateSymbolicLink(Path.Join(Root, "loop2"), "loop1");
        var policy = new LocalFilePolicy(Root, allowLocalFiles: false);

        var ex = Assert.Throws<GatewayException>(() => policy.Resolve("loop1"));

        Assert.Equal(400, ex.Status);
    }

    [Theory]
    [InlineData("missing.txt")]
    [InlineData("docs")]
    [InlineData("docs/missing/b.txt")]
    public void Missing_files_and_directories_are_not_found(string path)
    {
        var policy = new LocalFilePolicy(Root, allowLocalFiles: false);

        var ex = Assert.Throws<GatewayException>(() => policy.Resolve(path));

        Assert.Equal(400, ex.Status);
        Assert.Equal("file_not_found", ex.Type);
        Assert.Equal($"File not found: {path}", ex.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void An_empty_path_is_400(string path)
    {
        var ex = Assert.Throws<GatewayException>(() => new LocalFilePolicy(Root, false).Resolve(path));
        Assert.Equal(400, ex.Status);
    }

    [Fact]
    public void Allowing_local_files_without_a_root_reads_any_path()
    {
        var policy = new LocalFilePolicy(null, allowLocalFiles: true);

        Assert.True(policy.Enabled);
        Assert.Null(policy.Root);
        Assert.Equal(Path.Join(Outside, "secret.txt"), policy.Resolve(Path.Join(Outside, "secret.txt")));
    }

    [Fact]
    public void The_root_still_applies_when_local_files_are_also_allowed()
    {
        var policy = new LocalFilePolicy(Root, allowLocalFiles: true);

        var ex = Assert.Throws<GatewayException>(() => policy.Resolve(Path.Join(Outside, "secret.txt")));

        Assert.Equal(403, ex.Status);
    }

    [Theory]
    [InlineData(null, null, false)]
    [InlineData(null, "0", false)]
    [InlineData(null, "false", false)]
    [InlineData(null, "1", true)]
    [InlineData(null, " TRUE ", true)]
    [InlineData(null, "yes", true)]
    [InlineData(null, "On", true)]
    [InlineData("{root}", null, true)]
    [InlineData("  ", null, false)]
    public void Reads_its_settings_from_configuration(string? mediaRoot, string? allow, bool enabled)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_SERVER_MEDIA_ROOT"] = mediaRoot?.Replace("{root}", Root),
            ["ABSTRACTCORE_SERVER_ALLOW_LOCAL_FILES"] = allow,
        }).Build();

        Assert.Equal(enabled, LocalFilePolicy.FromConfiguration(configuration).Enabled);
    }
}

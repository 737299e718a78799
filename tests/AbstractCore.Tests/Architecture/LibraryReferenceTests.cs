using AbstractCore.Providers;

namespace AbstractCore.Tests.Architecture;

/// <summary>The library is shared by the gateway, the workers and the <c>abstractcore</c> CLI: it does not reference
/// ASP.NET Core (the Api passes plain values in, e.g. <see cref="ProviderKeys.FromHeaders"/>), nor the CLI.</summary>
public sealed class LibraryReferenceTests
{
    [Fact]
    public void The_library_references_neither_AspNetCore_nor_the_cli()
    {
        var references = typeof(ProviderKeys).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.DoesNotContain(references, name => name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.DoesNotContain("AbstractCore.Cli", references);
    }
}

using AbstractCore.Providers;
using Microsoft.Extensions.Primitives;

namespace AbstractCore.Tests.Routing;

/// <summary><see cref="ProviderKeys.FromHeaders"/> over header values as the Api passes them (empty when absent).</summary>
public sealed class ProviderKeysTests
{
    [Theory]
    [InlineData("sk-new", "sk-old", "Bearer sk-auth", false, "sk-new")]
    [InlineData("Bearer sk-new", null, null, true, "sk-new")]
    [InlineData(null, "sk-old", "Bearer sk-auth", false, "sk-old")]
    [InlineData("not-needed", " sk-old ", null, true, "sk-old")] // a placeholder is no key: the legacy header is read
    [InlineData(null, null, "Bearer sk-auth", false, "sk-auth")] // no server auth: the bearer token is the provider's
    [InlineData(null, null, "Bearer sk-auth", true, null)] // server auth: the bearer token is the server's
    [InlineData(null, null, "Basic dXNlcjpwdw==", false, null)]
    [InlineData(null, null, "sk-bare", false, null)]
    [InlineData("dummy", "", "Bearer none", false, null)]
    [InlineData(null, null, null, false, null)]
    public void The_first_real_key_wins(string? key, string? legacyKey, string? authorization, bool serverAuthEnabled, string? expected) =>
        Assert.Equal(expected, ProviderKeys.FromHeaders(
            new StringValues(key), new StringValues(legacyKey), new StringValues(authorization), serverAuthEnabled));

    [Fact]
    public void A_repeated_header_is_read_as_its_values_joined() =>
        Assert.Equal("sk-a,sk-b", ProviderKeys.FromHeaders(new StringValues(["sk-a", "sk-b"]), default, default, true));
}

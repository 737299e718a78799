using AbstractCore.Security;

namespace AbstractCore.Tests.Security;

public sealed class UrlAllowlistTests
{
    [Theory]
    // URL entries: path-segment prefix after decoding and dot-segment removal.
    [InlineData("https://api.example.com/v1", "https://api.example.com/v1", true)]
    [InlineData("https://api.example.com/v1", "https://api.example.com/v1/", true)]
    [InlineData("https://api.example.com/v1", "https://api.example.com/v1/models", true)]
    [InlineData("https://api.example.com/v1/", "https://api.example.com/v1", true)]
    [InlineData("https://api.example.com/v1", "https://api.example.com/v1/models/%2e%2e", true)]
    [InlineData("https://api.example.com/v1", "https://api.example.com/v10", false)]
    [InlineData("https://api.example.com/v1", "https://api.example.com/v1evil", false)]
    [InlineData("https://api.example.com/v1", "https://api.example.com/v1/../admin", false)]
    [InlineData("https://api.example.com/v1", "https://api.example.com/v1/./../admin", false)]
    [InlineData("https://api.example.com/v1", "https://api.example.com/v1/%2e%2e/admin", false)]
    [InlineData("https://api.example.com/v1", "https://api.example.com/v1/%2E%2E/admin", false)]
    [InlineData("https://api.example.com/v1", "https://api.example.com/v1/%252e%252e/admin", false)]
    [InlineData("https://api.example.com/v1", "https://api.example.com/v1/%25252e%25252e/admin", false)]
    [InlineData("https://api.example.com/v1", "https://api.example.com/v1%2f..", false)]
    [InlineData("https://api.example.com/v1", "https://api.example.com/v1%2F..%2Fadmin", false)]
    [InlineData("https://api.example.com/v1", "https://api.example.com/v1/..%5cadmin", false)]
    [InlineData("https://api.example.com/v1", "https://api.example.com/v1%5c..%5cadmin", false)]
    [InlineData("https://api.example.com/v1", "https://api.example.com//v1/models", false)]
    [InlineData("https://api.example.com/v1", "https://api.example.com/", false)]
    [InlineData("https://api.example.com/", "https://api.example.com/anything/at/all", true)]
    [InlineData("https://api.example.com", "https://api.example.com/anything", true)]
    // Scheme, canonical host and effective port must be equal.
    [InlineData("https://api.example.com/v1", "http://api.example.com/v1", false)]
    [InlineData("https://api.example.com/v1", "https://api.example.com:8443/v1", false)]
    [InlineData("https://api.example.com/v1", "https://api.example.com:443/v1", true)]
    [InlineData("http://api.example.com:80/v1", "http://api.example.com/v1/x", true)]
    [InlineData("https://api.example.com/v1", "https://API.Example.COM./v1/x", true)]
    [InlineData("https://API.EXAMPLE.com./v1", "https://api.example.com/v1/x", true)]
    [InlineData("https://api.example.com/v1", "https://api.example.com.evil/v1", false)]
    [InlineData("https://api.example.com/v1", "https://evil.com/https://api.example.com/v1", false)]
    [InlineData("https://api.example.com/v1", "https://evil.com/?u=https://api.example.com/v1", false)]
    [InlineData("https://bücher.example/", "https://xn--bcher-kva.example/x", true)]
    [InlineData("https://xn--bcher-kva.example/", "https://BÜCHER.example/x", true)]
    [InlineData("http://[::1]:8080/v1", "http://[0:0:0:0:0:0:0:1]:8080/v1/x", true)]
    [InlineData("http://127.0.0.1/v1", "http://2130706433/v1/x", true)]
    // Userinfo in the target is never allowed; entries with userinfo or a fragment are ignored.
    [InlineData("https://api.example.com/v1", "https://user@api.example.com/v1", false)]
    [InlineData("https://api.example.com/v1", "https://user:pw@api.example.com/v1", false)]
    [InlineData("https://u:p@api.example.com/", "https://api.example.com/", false)]
    [InlineData("https://api.example.com/#frag", "https://api.example.com/", false)]
    [InlineData("ftp://api.example.com/", "ftp://api.example.com/", false)]
    // A query in the entry must be identical in the target.
    [InlineData("https://h.example/v1?tenant=a", "https://h.example/v1/x?tenant=a", true)]
    [InlineData("https://h.example/v1?tenant=a", "https://h.example/v1/x?tenant=b", false)]
    [InlineData("https://h.example/v1?tenant=a", "https://h.example/v1/x", false)]
    [InlineData("https://h.example/v1?tenant=a", "https://h.example/v1/x?tenant=a&x=1", false)]
    [InlineData("https://h.example/v1", "https://h.example/v1/x?anything=1", true)]
    // Bare entries: host globs (fnmatchcase) with an optional port.
    [InlineData("*.example.com", "https://api.example.com/x", true)]
    [InlineData("*.example.com", "https://a.b.example.com/x", true)]
    [InlineData("*.example.com", "https://example.com/x", false)]
    [InlineData("*.example.com", "https://api.example.com.evil/x", false)]
    [InlineData("*.example.com", "https://apiexample.com/x", false)]
    [InlineData("*.Example.COM.", "https://API.example.com/x", true)]
    [InlineData("*.example.com", "https://user@api.example.com/x", false)]
    [InlineData("*.example.com", "ftp://api.example.com/x", false)]
    [InlineData("api.example.com", "http://API.example.com:9000/x", true)]
    [InlineData("api.example.com", "http://xapi.example.com/", false)]
    [InlineData("api.example.com:8443", "https://api.example.com:8443/", true)]
    [InlineData("api.example.com:8443", "https://api.example.com/", false)]
    [InlineData("api.example.com:443", "https://api.example.com/", true)]
    [InlineData("*.example.com:443", "https://cdn.example.com/", true)]
    [InlineData("*.example.com:443", "http://cdn.example.com/", false)]
    [InlineData("[::1]:8080", "http://[::1]:8080/", true)]
    [InlineData("[::1]:8080", "http://[::1]:8081/", false)]
    [InlineData("[::1]", "http://[::1]:5/", true)]
    [InlineData("::1", "http://[::1]:5/", true)]
    [InlineData("10.0.0.?", "http://10.0.0.5/", true)]
    [InlineData("10.0.0.?", "http://10.0.0.50/", false)]
    [InlineData("host[0-9].internal", "http://host3.internal/", true)]
    [InlineData("host[0-9].internal", "http://hostx.internal/", false)]
    [InlineData("host[!0-9].internal", "http://hostx.internal/", true)]
    [InlineData("host[!0-9].internal", "http://host3.internal/", false)]
    [InlineData("host[.internal", "http://host[.internal/", false)]
    [InlineData("*", "http://anything.test/", true)]
    [InlineData("Example.COM.", "http://example.com/", true)]
    [InlineData("127.0.0.1", "http://2130706433/", true)]
    [InlineData("127.0.0.1", "http://127.0.0.2/", false)]
    [InlineData("api.example.com:notaport", "http://api.example.com/", false)]
    [InlineData("api.example.com:0", "http://api.example.com/", false)]
    // The list itself: trimmed, empties dropped.
    [InlineData("", "http://api.example.com/", false)]
    [InlineData(" , api.example.com , ", "http://api.example.com/", true)]
    [InlineData("other.test,https://api.example.com/v1", "https://api.example.com/v1/chat", true)]
    public void Matches_as_the_original(string allowlist, string target, bool expected)
    {
        Assert.Equal(expected, UrlAllowlist.Parse(allowlist).Matches(target));
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("/v1/models")]
    [InlineData("")]
    public void Anything_but_an_absolute_http_url_never_matches(string target)
    {
        Assert.False(UrlAllowlist.Parse("*").Matches(target));
    }

    [Fact]
    public void Unreadable_entries_are_dropped()
    {
        var list = UrlAllowlist.Parse("https://u@h.example/, https://h.example/#x, h.example:99999, [::1, ok.example");
        Assert.Equal(1, list.Count);
    }
}

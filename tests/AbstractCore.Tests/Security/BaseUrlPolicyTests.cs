using AbstractCore.Security;

namespace AbstractCore.Tests.Security;

public sealed class BaseUrlPolicyTests
{
    private const string Dns =
        "lo.test=127.0.0.1|::1;lo4.test=127.0.0.5;mixed.test=127.0.0.1|10.0.0.1;public.test=93.184.216.34;" +
        "internal.example.com=10.0.0.7";

    [Theory]
    [InlineData("http://localhost:11434", "")]
    [InlineData("http://LOCALHOST.:1234/v1", "")]
    [InlineData("http://127.0.0.1:1234/v1", "")]
    [InlineData("http://127.9.9.9/v1", "")]
    [InlineData("https://[::1]:8080/v1", "")]
    [InlineData("http://[::ffff:127.0.0.1]/v1", "")]
    [InlineData("http://2130706433:8000/v1", "")]
    [InlineData("http://lo.test:8000/v1", "")]
    [InlineData("http://lo4.test/v1", "")]
    [InlineData("https://api.example.com/v1", "*.example.com")]
    [InlineData("https://internal.example.com/v1", "https://internal.example.com/v1")]
    [InlineData("http://10.0.0.5:8000/v1/", "http://10.0.0.5:8000/v1")]
    [InlineData("https://public.test/v1", "public.test:443")]
    public async Task Loopback_or_allowlisted_urls_are_accepted(string baseUrl, string allowlist)
    {
        var uri = await BaseUrlPolicy.ValidateAsync(baseUrl, UrlAllowlist.Parse(allowlist), FakeDns.Table(Dns), CancellationToken.None);
        Assert.True(uri.IsAbsoluteUri);
    }

    [Theory]
    [InlineData("https://api.openai.com/v1", "")]
    [InlineData("http://public.test/v1", "")]
    [InlineData("http://mixed.test/v1", "")]
    [InlineData("http://nowhere.test/v1", "")]
    [InlineData("http://10.0.0.1/v1", "")]
    [InlineData("http://0.0.0.0:8000/v1", "")]
    [InlineData("http://169.254.169.254/", "")]
    [InlineData("http://user:pw@localhost:1234/v1", "")]
    [InlineData("http://user@api.example.com/v1", "*.example.com")]
    [InlineData("ftp://localhost/", "")]
    [InlineData("file:///etc/passwd", "")]
    [InlineData("localhost:1234", "")]
    [InlineData("not a url", "")]
    [InlineData("", "")]
    [InlineData("http://localhost:99999/", "")]
    [InlineData("http://localhost:0/", "")]
    [InlineData("http://10.0.0.5:8000/v10", "http://10.0.0.5:8000/v1")]
    [InlineData("http://10.0.0.5:8000/v1/../admin", "http://10.0.0.5:8000/v1")]
    [InlineData("http://10.0.0.5:8000/v1%2f..", "http://10.0.0.5:8000/v1")]
    [InlineData("http://10.0.0.5:8000/v1/%252e%252e/admin", "http://10.0.0.5:8000/v1")]
    [InlineData("http://10.0.0.5:8001/v1", "http://10.0.0.5:8000/v1")]
    [InlineData("https://example.com.evil/v1", "*.example.com")]
    public async Task Everything_else_is_the_same_403(string baseUrl, string allowlist)
    {
        var ex = await Assert.ThrowsAsync<GatewayException>(() =>
            BaseUrlPolicy.ValidateAsync(baseUrl, UrlAllowlist.Parse(allowlist), FakeDns.Table(Dns), CancellationToken.None));

        Assert.Equal(403, ex.Status);
        Assert.Equal("forbidden", ex.Type);
        Assert.Equal("base_url", ex.Param);
        Assert.Equal(BaseUrlPolicy.RefusedMessage, ex.Message);
    }

    [Theory]
    [InlineData("http://localhost:1234/v1", "")]
    [InlineData("http://127.0.0.1/v1", "")]
    [InlineData("https://api.example.com/v1", "*.example.com")]
    public async Task Literals_and_allowlisted_urls_need_no_dns(string baseUrl, string allowlist)
    {
        var uri = await BaseUrlPolicy.ValidateAsync(baseUrl, UrlAllowlist.Parse(allowlist), FakeDns.Never, CancellationToken.None);
        Assert.NotNull(uri);
    }
}

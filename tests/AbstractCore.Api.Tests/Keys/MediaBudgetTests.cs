using System.Net;
using AbstractCore.Api.Tests.Spend;

namespace AbstractCore.Api.Tests.Keys;

/// <summary>The billing fixture's media fakes, with a price table that makes one embedding or image cost more than a cent.</summary>
public sealed class PricedMediaFixture : BillingFixture
{
    private readonly string _prices = Path.Combine(Path.GetTempPath(), "acore-media-prices-" + Guid.NewGuid().ToString("N") + ".json");

    public override async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(_prices,
            """{"version":1,"models":{"fake-embed":{"input_per_mtok":5000},"gpt-image-1":{"per_image":0.02}}}""");
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        File.Delete(_prices);
    }

    protected override void AddSettings(Dictionary<string, string?> settings) => settings["ABSTRACTCORE_PRICES_FILE"] = _prices;
}

/// <summary>A budget of 0.01 USD stops a key after the request that crossed it on embeddings and images too, before the
/// upstream is called again.</summary>
public sealed class MediaBudgetTests(PricedMediaFixture fx) : IClassFixture<PricedMediaFixture>
{
    [Theory]
    [InlineData("/v1/embeddings", """{"model":"openai-compatible/fake-embed","input":["one two three","four"]}""")]
    [InlineData("/v1/images/generations", """{"model":"vllm/gpt-image-1","prompt":"a red mug","n":1}""")]
    public async Task A_budget_stops_the_key_after_the_request_that_crossed_it(string path, string body)
    {
        using var admin = fx.Gateway.Http(BillingFixture.Token, "admin");
        var (id, secret) = await KeyAdmin.CreateAsync(admin, "\"budget_usd\":0.01");
        using var http = fx.Gateway.Http(secret, "budget");
        var calls = fx.Media.Requests.Count + fx.Vision.Requests.Count;

        using var first = await http.PostAsync(path, Wire.Json(body));
        using var second = await http.PostAsync(path, Wire.Json(body));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Contains("insufficient_quota", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(calls + 1, fx.Media.Requests.Count + fx.Vision.Requests.Count);
        var spend = await KeyAdmin.SpendAsync(admin, id);
        Assert.True((decimal)spend!["cost_usd"]! >= 0.02m);
    }
}

using System.Collections.Concurrent;
using System.Globalization;
using AbstractCore.Api.Keys;
using AbstractCore.Api.Spend;
using AbstractCore.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using static AbstractCore.Api.Tests.Caching.CacheCalls;

namespace AbstractCore.Api.Tests.Caching;

/// <summary>
/// A gateway whose requests carry a bill, as the spend work attaches one, and, when a test asks with
/// <see cref="KeyTtlHeader"/>, a virtual key with a cache TTL, as authentication will: both put in front of the app by a
/// startup filter.
/// </summary>
public sealed class KeyedGatewayFixture : IAsyncLifetime
{
    public const string KeyTtlHeader = "X-Test-Key-Cache-Ttl";
    public const string CallHeader = "X-Test-Call";

    public FakeOpenAIUpstream Upstream { get; private set; } = null!;

    public KeyedGateway Gateway { get; private set; } = null!;

    /// <summary>Each request's bill, by its <see cref="CallHeader"/>.</summary>
    internal ConcurrentDictionary<string, RequestBill> Bills { get; } = new();

    public async Task InitializeAsync()
    {
        Upstream = await FakeOpenAIUpstream.StartAsync();
        Gateway = new KeyedGateway(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = GatewayFixture.Token,
            ["OPENAI_COMPATIBLE_BASE_URL"] = Upstream.BaseUrl.AbsoluteUri,
        }, this);
        _ = Gateway.Server;
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Upstream.DisposeAsync();
    }

    public HttpClient Http() => Gateway.Http(GatewayFixture.Token);

    /// <summary>The gateway with a key put in front of it, and each request's bill kept.</summary>
    public sealed class KeyedGateway(IReadOnlyDictionary<string, string?> settings, KeyedGatewayFixture fixture) : ConfiguredAppFactory<Program>(settings)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(s => s.AddSingleton<IStartupFilter>(new KeyAndBill(fixture.Bills)));
        }
    }

    private sealed class KeyAndBill(ConcurrentDictionary<string, RequestBill> bills) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                // The gateway's own bill, put on the request after auth: kept once the answer starts.
                context.Response.OnStarting(() =>
                {
                    bills[context.Request.Headers[CallHeader].ToString()] = RequestBill.Of(context)!;
                    return Task.CompletedTask;
                });
                if (context.Request.Headers[KeyTtlHeader] is [{ } ttl])
                {
                    context.Features.Set(new KeyContext(new VirtualKey
                    {
                        Id = "key-1", Name = "cached", Cache = new KeyCache(double.Parse(ttl, CultureInfo.InvariantCulture)),
                    }));
                }

                return nextMiddleware(context);
            });
            next(app);
        };
    }
}

/// <summary>The virtual key's cache setting, the request's word over it, and the bill of a hit.</summary>
public sealed class ResponseCacheKeyTests(KeyedGatewayFixture fx) : IClassFixture<KeyedGatewayFixture>
{
    [Fact]
    public async Task A_key_with_a_cache_ttl_opts_its_requests_in_and_a_hit_is_billed_as_one()
    {
        using var http = fx.Http();
        http.DefaultRequestHeaders.Add(KeyedGatewayFixture.KeyTtlHeader, "60");
        var json = ChatBody(Unique(), ""","temperature":0""");
        var calls = fx.Upstream.ChatRequestCount;

        var (miss, _) = await Call(http, json, "key-miss");
        var (hit, _) = await Call(http, json, "key-hit");

        Assert.Equal("miss", Cache(miss));
        Assert.Equal("hit", Cache(hit));
        Assert.Equal(calls + 1, fx.Upstream.ChatRequestCount);
        Assert.False(fx.Bills["key-miss"].CacheHit);
        Assert.True(fx.Bills["key-hit"].CacheHit);
        var line = Assert.Single(fx.Bills["key-hit"].Lines); // nothing was called: a hit, at no cost
        Assert.Equal(("openai-compatible", "fake-model", 0m, 0L), (line.Provider, line.Model, line.Priced.CostUsd, line.Priced.Usage.TotalTokens));
    }

    [Fact]
    public async Task No_store_bypasses_the_cache_even_when_the_key_opts_in()
    {
        using var http = fx.Http();
        http.DefaultRequestHeaders.Add(KeyedGatewayFixture.KeyTtlHeader, "60");
        var json = ChatBody(Unique(), ""","temperature":0""");
        await Call(http, json, "bypass-stored");
        var calls = fx.Upstream.ChatRequestCount;

        var (bypassed, _) = await Call(http, json, "bypass", "no-store");

        Assert.Null(Cache(bypassed));
        Assert.False(fx.Bills["bypass"].CacheHit);
        Assert.Equal(calls + 1, fx.Upstream.ChatRequestCount);
    }

    [Fact]
    public async Task A_request_with_ttl_s_0_turns_the_keys_cache_off()
    {
        using var http = fx.Http();
        http.DefaultRequestHeaders.Add(KeyedGatewayFixture.KeyTtlHeader, "60");
        var json = ChatBody(Unique(), ""","temperature":0,"cache":{"ttl_s":0}""");
        var calls = fx.Upstream.ChatRequestCount;

        var (first, _) = await Call(http, json, "off-1");
        var (second, _) = await Call(http, json, "off-2");

        Assert.Null(Cache(first));
        Assert.Null(Cache(second));
        Assert.Equal(calls + 2, fx.Upstream.ChatRequestCount);
    }

    private static async Task<(HttpResponseMessage Response, string Body)> Call(HttpClient http, string json, string call, string? cacheControl = null)
    {
        http.DefaultRequestHeaders.Remove(KeyedGatewayFixture.CallHeader);
        http.DefaultRequestHeaders.Add(KeyedGatewayFixture.CallHeader, call);
        return await PostAsync(http, json, cacheControl);
    }
}

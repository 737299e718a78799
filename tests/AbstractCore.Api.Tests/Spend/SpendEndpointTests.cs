using System.Net;
using System.Text.Json.Nodes;
using AbstractCore.Api.Keys;
using AbstractCore.Api.Spend;
using AbstractCore.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using static AbstractCore.Api.Tests.Spend.SpendTestKit;

namespace AbstractCore.Api.Tests.Spend;

/// <summary><c>GET /acore/spend</c> on the gateway: its answer, its refusals, who sees what, and a standalone restart.</summary>
public sealed class SpendEndpointTests(GatewayFixture fx) : IClassFixture<GatewayFixture>
{
    /// <summary>Header the test gateway reads the caller's virtual key from (the keys' own auth is not this feature's).</summary>
    private const string TestKeyHeader = "X-Test-Virtual-Key";

    [Fact]
    public async Task Spend_is_listed_by_key_model_provider_and_day_and_grouped_on_request()
    {
        var ledger = fx.Gateway.Services.GetRequiredService<SpendLedger>();
        var id = NewKeyId();
        ledger.Record(Entry(id, 0.5m, input: 100, output: 20));
        ledger.Record(Entry(id, 0.25m, at: Sunday.AddDays(1), provider: "anthropic", model: "claude", cacheHit: true));
        using var http = fx.Http();

        var (response, body) = await Wire.GetAsync(http, $"/acore/spend?key_id={id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("list", (string?)body!["object"]);
        Assert.Equal(0.75m, (decimal)body["total_cost_usd"]!);
        var first = body["data"]![0]!.AsObject();
        Assert.Equal(
            ["key_id", "key_name", "provider", "model", "day", "requests", "cache_hits", "input_tokens", "output_tokens", "cached_input_tokens",
                "images", "audio_seconds", "cost_usd", "unpriced_requests", "estimated_requests"],
            first.Select(p => p.Key));
        Assert.Equal((id, id + "-name", "openai", "gpt-4o", "2026-12-06", 1L, 100L, 0.5m),
            ((string?)first["key_id"], (string?)first["key_name"], (string?)first["provider"], (string?)first["model"], (string?)first["day"],
                (long)first["requests"]!, (long)first["input_tokens"]!, (decimal)first["cost_usd"]!));
        Assert.Equal(("anthropic", 1L), ((string?)body["data"]![1]!["provider"], (long)body["data"]![1]!["cache_hits"]!));

        var (_, grouped) = await Wire.GetAsync(http, $"/acore/spend?key_id={id}&group_by=key&from=2026-12-06&to=2026-12-07");
        var row = Assert.Single(grouped!["data"]!.AsArray())!;
        Assert.Equal((2L, 0.75m), ((long)row["requests"]!, (decimal)row["cost_usd"]!));
        Assert.All((JsonNode?[])[row["model"], row["provider"], row["day"]], Assert.Null);
    }

    [Theory]
    [InlineData("group_by=customer", "group_by")]
    [InlineData("from=06-12-2026", "from")]
    [InlineData("from=2026-12-07&to=2026-12-06", "to")]
    public async Task A_bad_query_value_is_a_400_in_the_openai_envelope(string query, string param)
    {
        using var http = fx.Http();

        var (response, body) = await Wire.GetAsync(http, "/acore/spend?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(("invalid_request_error", param), ((string?)body!["error"]!["type"], (string?)body["error"]!["param"]));
        Assert.Contains(param, (string?)body["error"]!["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_sees_only_its_own_spend_and_an_admin_key_sees_every_keys()
    {
        await using var gateway = fx.Gateway.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<IStartupFilter>(new TestKeys())));
        var ledger = gateway.Services.GetRequiredService<SpendLedger>();
        var (mine, theirs) = (NewKeyId(), NewKeyId());
        ledger.Record(Entry(mine, 1m));
        ledger.Record(Entry(theirs, 2m));
        async Task<string[]> KeysSeenAsync(string? caller, string query)
        {
            using var http = gateway.CreateClient();
            http.DefaultRequestHeaders.Authorization = new("Bearer", GatewayFixture.Token);
            if (caller is not null)
            {
                http.DefaultRequestHeaders.Add(TestKeyHeader, caller);
            }

            var (response, body) = await Wire.GetAsync(http, "/acore/spend?group_by=key" + query);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return [.. body!["data"]!.AsArray().Select(r => (string)r!["key_id"]!).Where(k => k == mine || k == theirs)];
        }

        Assert.Equal([mine], await KeysSeenAsync(mine, ""));
        Assert.Equal([mine], await KeysSeenAsync(mine, "&key_id=" + theirs)); // its filter is forced to its own id
        Assert.Equal(((string[])[mine, theirs]).Order(), (await KeysSeenAsync("admin:" + NewKeyId(), "")).Order());
        Assert.Equal([theirs], await KeysSeenAsync("admin:" + NewKeyId(), "&key_id=" + theirs));
        Assert.Equal(((string[])[mine, theirs]).Order(), (await KeysSeenAsync(null, "")).Order()); // the server token
    }

    [Fact]
    public async Task A_standalone_gateway_keeps_its_spend_across_a_restart()
    {
        var home = Directory.CreateTempSubdirectory("acore-spend-home-").FullName;
        try
        {
            GatewayFactory Start() => new(new Dictionary<string, string?>
            {
                ["ABSTRACTCORE_AUTH_TOKEN"] = GatewayFixture.Token,
                ["ABSTRACTCORE_SERVER_DISABLE_CENTRALIZED_CONFIG"] = "0",
                ["ABSTRACTCORE_CONFIG_DIR"] = home, // not the machine's ~/.abstractcore
            });
            var key = Key(NewKeyId(), "monthly");
            await using (var first = Start())
            {
                first.Services.GetRequiredService<SpendLedger>().Record(Entry(key.Id, 1.25m, at: DateTimeOffset.UtcNow));
            } // stopping flushes and writes the file

            Assert.True(File.Exists(Path.Combine(home, "spend", SpendFile.FileName)));
            await using var second = Start();
            Assert.Equal(1.25m, second.Services.GetRequiredService<SpendLedger>().SpentInPeriod(key));
            using var http = second.Http(GatewayFixture.Token);
            var (_, body) = await Wire.GetAsync(http, "/acore/spend?key_id=" + key.Id);
            Assert.Equal(1.25m, (decimal)body!["total_cost_usd"]!);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    /// <summary>Sets the request's virtual key from <see cref="TestKeyHeader"/> (<c>admin:</c> before the id: an admin key).</summary>
    private sealed class TestKeys : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (context.Request.Headers[TestKeyHeader].ToString() is { Length: > 0 } value)
                {
                    var admin = value.StartsWith("admin:", StringComparison.Ordinal);
                    context.Features.Set(new KeyContext(Key(admin ? value["admin:".Length..] : value, admin: admin)));
                }

                return nextMiddleware(context);
            });
            next(app);
        };
    }
}

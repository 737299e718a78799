using System.Net;
using AbstractCore.Api.Aliases;
using Microsoft.AspNetCore.Mvc.Testing;
using StackExchange.Redis;

namespace AbstractCore.Api.Tests.Aliases;

/// <summary>
/// A deployment that answers again after its cooldown gets requests again through the router: the first one after the
/// break half-opens its circuit, its success closes it and deletes the shared key.
/// </summary>
public sealed class CooldownRecoveryTests(CooldownFixture fx) : IClassFixture<CooldownFixture>
{
    [Fact]
    public async Task A_deployment_that_answers_again_after_its_cooldown_is_routed_to_again()
    {
        var a = CooldownFixture.State(fx.First, "t3/quick", "a");
        for (var i = 0; i < 100 && a.CoolingSource != "local"; i++)
        {
            await ChatAsync(fx.First, 1);
        }

        Assert.Equal("local", a.CoolingSource);
        fx.FailingA.DefaultReply = FakeReply.Text("a is back");
        await Eventually.TrueAsync(() => a.CoolingSource is null, "a's 1 s cooldown to end");

        var answeredBy = await ChatAsync(fx.First, 40); // weighted 1:1, so a gets some

        Assert.Contains("a", answeredBy);
        Assert.Null(a.CoolingSource);
        Assert.False(await fx.Database.KeyExistsAsync((RedisKey)RedisCooldowns.RedisKey(a)));
    }

    private static async Task<List<string>> ChatAsync(WebApplicationFactory<Program> gateway, int requests)
    {
        using var http = CooldownFixture.Http(gateway);
        var answeredBy = new List<string>();
        for (var i = 0; i < requests; i++)
        {
            var (response, body) = await Wire.PostAsync(http, "/v1/chat/completions", """{"model":"t3/quick","messages":[{"role":"user","content":"hi"}]}""");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body?.ToJsonString()}");
            answeredBy.Add(Wire.Header(response, "X-AbstractCore-Deployment")!);
        }

        return answeredBy;
    }
}

namespace AbstractCore.Api.Tests.Aliases;

/// <summary>Rules 6 and 7: weights are honoured over many requests; least_busy never sends a deployment more calls than
/// its <c>max_concurrency</c>.</summary>
public sealed class AliasBalancingTests : AliasRulesTests
{
    protected override bool Record => false;

    [Fact]
    public async Task Weights_3_to_1_send_75_percent_of_2000_requests_to_the_heavier_deployment()
    {
        const int Requests = 2000, Clients = 8;
        var onA = new FakeConcurrency();
        var onB = new FakeConcurrency();
        A.DefaultReply = FakeReply.Tracked(onA, FakeReply.Text("a"));
        B.DefaultReply = FakeReply.Tracked(onB, FakeReply.Text("b"));
        Start([Deployment("a", A.BaseUrl, "\"weight\": 3"), Deployment("b", B.BaseUrl, "\"weight\": 1")]);
        var body = ChatBody(stream: false);
        var failures = 0;

        await Task.WhenAll(Enumerable.Range(0, Clients).Select(async _ =>
        {
            using var http = Gateway.Http(Token);
            for (var i = 0; i < Requests / Clients; i++)
            {
                using var response = await http.PostAsync("/v1/chat/completions", Wire.Json(body));
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }));

        Assert.Equal(0, failures);
        Assert.Equal(Requests, onA.Total + onB.Total);
        Assert.InRange(onA.Total, Requests * 70 / 100, Requests * 80 / 100);
    }

    [Fact]
    public async Task Least_busy_keeps_a_slow_deployment_at_its_concurrency_limit()
    {
        const int Requests = 20;
        var slow = new FakeConcurrency();
        var fast = new FakeConcurrency();
        A.DefaultReply = FakeReply.Tracked(slow, FakeReply.Delayed(TimeSpan.FromMilliseconds(300), FakeReply.Text("slow")));
        B.DefaultReply = FakeReply.Tracked(fast, FakeReply.Delayed(TimeSpan.FromMilliseconds(50), FakeReply.Text("fast")));
        Start([Deployment("slow", A.BaseUrl, "\"max_concurrency\": 2"), Deployment("fast", B.BaseUrl)], "\"strategy\": \"least_busy\"");
        using var http = Gateway.Http(Token);
        var body = ChatBody(stream: false);

        var statuses = await Task.WhenAll(Enumerable.Range(0, Requests).Select(async _ =>
        {
            using var response = await http.PostAsync("/v1/chat/completions", Wire.Json(body));
            return (int)response.StatusCode;
        }));

        Assert.All(statuses, s => Assert.Equal(200, s));
        Assert.Equal(Requests, slow.Total + fast.Total);
        Assert.InRange(slow.Max, 1, 2);
    }

    [Fact]
    public async Task When_every_deployment_is_at_its_limit_requests_queue_and_all_succeed()
    {
        const int Requests = 6;
        var gauge = new FakeConcurrency();
        A.DefaultReply = FakeReply.Tracked(gauge, FakeReply.Delayed(TimeSpan.FromMilliseconds(100), FakeReply.Text("a")));
        Start([Deployment("a", A.BaseUrl, "\"max_concurrency\": 1")], "\"strategy\": \"least_busy\"");
        using var http = Gateway.Http(Token);
        var body = ChatBody(stream: false);

        var statuses = await Task.WhenAll(Enumerable.Range(0, Requests).Select(async _ =>
        {
            using var response = await http.PostAsync("/v1/chat/completions", Wire.Json(body));
            return (int)response.StatusCode;
        }));

        Assert.All(statuses, s => Assert.Equal(200, s));
        Assert.Equal(Requests, gauge.Total);
        Assert.Equal(1, gauge.Max);
    }

    [Fact]
    public async Task The_latency_strategy_prefers_the_deployment_that_answers_sooner()
    {
        var slow = new FakeConcurrency();
        var fast = new FakeConcurrency();
        A.DefaultReply = FakeReply.Tracked(slow, FakeReply.Delayed(TimeSpan.FromMilliseconds(300), FakeReply.Text("slow")));
        B.DefaultReply = FakeReply.Tracked(fast, FakeReply.Text("fast"));
        Start([Deployment("slow", A.BaseUrl), Deployment("fast", B.BaseUrl)], "\"strategy\": \"latency\"");
        using var http = Gateway.Http(Token);

        for (var i = 0; i < 12; i++)
        {
            using var response = await http.PostAsync("/v1/chat/completions", Wire.Json(ChatBody(stream: false)));
            Assert.True(response.IsSuccessStatusCode);
        }

        Assert.Equal(12, slow.Total + fast.Total);
        Assert.InRange(slow.Total, 0, 1); // once measured, the slow one is not chosen again
    }
}

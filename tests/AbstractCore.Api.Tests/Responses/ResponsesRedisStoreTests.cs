using System.Net;
using AbstractCore.Api.Tests.Infrastructure;
using OpenAI.Responses;
using StackExchange.Redis;

#pragma warning disable OPENAI001 // the SDK's Responses client is marked experimental

namespace AbstractCore.Api.Tests.Responses;

/// <summary>
/// Two gateway replicas sharing a real Redis (the AppHost's <c>cache</c> connection string): a conversation started on
/// one continues on the other, and both see the same stored responses and input items.
/// </summary>
public sealed class ResponsesRedisStoreTests : IAsyncLifetime
{
    private const string Model = GatewayFixture.Model;
    private readonly RedisServerFixture _redis = new();
    private FakeOpenAIUpstream _upstream = null!;
    private GatewayFactory _replicaA = null!;
    private GatewayFactory _replicaB = null!;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _upstream = await FakeOpenAIUpstream.StartAsync();
        GatewayFactory Replica() => new(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = GatewayFixture.Token,
            ["OPENAI_COMPATIBLE_BASE_URL"] = _upstream.BaseUrl.AbsoluteUri,
            ["ConnectionStrings:cache"] = _redis.ConnectionString,
            ["ABSTRACTCORE_RESPONSES_TTL_S"] = "600",
        });
        (_replicaA, _replicaB) = (Replica(), Replica());
    }

    public async Task DisposeAsync()
    {
        await _replicaA.DisposeAsync();
        await _replicaB.DisposeAsync();
        await _upstream.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task A_conversation_started_on_one_replica_continues_on_another()
    {
        _upstream.Enqueue(FakeReply.Text("Nice to meet you, Ada."));
        _upstream.Enqueue(FakeReply.Text("Your name is Ada."));

        ResponseResult first = await ResponsesClients.For(_replicaA).CreateResponseAsync(new CreateResponseOptions
        {
            Model = Model,
            Instructions = "Be brief.",
            InputItems = { ResponseItem.CreateUserMessageItem("My name is Ada.") },
        });
        ResponseResult second = await ResponsesClients.For(_replicaB).CreateResponseAsync(new CreateResponseOptions
        {
            Model = Model,
            PreviousResponseId = first.Id,
            InputItems = { ResponseItem.CreateUserMessageItem("What is my name?") },
        });

        Assert.Equal("Your name is Ada.", second.GetOutputText());
        Assert.Equal(
            """[{"role":"user","content":"My name is Ada."},{"role":"assistant","content":"Nice to meet you, Ada."},{"role":"user","content":"What is my name?"}]""",
            _upstream.LastChatRequest.Json!["messages"]!.ToJsonString());

        // The entry lives in Redis with the configured TTL as its expiry.
        await using var redis = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
        var ttl = await redis.GetDatabase().KeyTimeToLiveAsync("acore:response:" + first.Id);
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(600));
    }

    [Fact]
    public async Task Get_input_items_and_delete_see_the_same_store_from_every_replica()
    {
        using var a = _replicaA.Http(GatewayFixture.Token);
        using var b = _replicaB.Http(GatewayFixture.Token);
        _upstream.Enqueue(FakeReply.Text("Done."));

        var (_, created) = await Wire.PostAsync(a, "/v1/responses",
            """{"model":"openai-compatible/fake-model","input":[{"role":"user","content":"one"},{"type":"message","role":"user","content":[{"type":"input_text","text":"two"}]}]}""");
        var id = (string)created!["id"]!;

        var fetched = await b.GetAsync($"/v1/responses/{id}");
        Assert.Equal(HttpStatusCode.OK, fetched.StatusCode);
        Assert.Contains("\"Done.\"", await fetched.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var (_, items) = await Get(b, $"/v1/responses/{id}/input_items?order=asc");
        Assert.Equal("list", (string?)items["object"]);
        Assert.Equal(2, items["data"]!.AsArray().Count);
        Assert.Equal("one", (string?)items["data"]![0]!["content"]![0]!["text"]);
        Assert.Equal("input_text", (string?)items["data"]![0]!["content"]![0]!["type"]);
        Assert.Equal("two", (string?)items["data"]![1]!["content"]![0]!["text"]);
        Assert.False((bool)items["has_more"]!);

        Assert.Equal(HttpStatusCode.OK, (await b.DeleteAsync($"/v1/responses/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await a.GetAsync($"/v1/responses/{id}")).StatusCode);
    }

    private static async Task<(HttpResponseMessage, System.Text.Json.Nodes.JsonNode)> Get(HttpClient http, string path)
    {
        var response = await http.GetAsync(path);
        return (response, System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }
}

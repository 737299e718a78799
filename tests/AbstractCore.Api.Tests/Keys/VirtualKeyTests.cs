using System.Net;
using System.Text.Json.Nodes;

namespace AbstractCore.Api.Tests.Keys;

/// <summary>
/// Virtual keys end to end, without Redis: made and managed by an admin, shown once and stored hashed, authenticating
/// like the server token within their models, routes, expiry and state; spend billed from the upstream's usage and a
/// budget that stops the key after the request that crossed it.
/// </summary>
public sealed class VirtualKeyTests(KeysFixture fx) : IClassFixture<KeysFixture>
{
    private const string Chat = """{"model":"openai-compatible/fake-model","messages":[{"role":"user","content":"hi"}]}""";

    [Fact]
    public async Task A_key_is_shown_once_stored_hashed_and_managed_by_an_admin()
    {
        using var admin = fx.Admin();
        var (id, secret) = await fx.CreateKeyAsync("""
            "owner":"team-a","models":["openai-compatible/*"],"rpm":50,"budget_usd":5,"budget_period":"monthly","scopes":[]
            """);
        Assert.StartsWith("ack-", secret, StringComparison.Ordinal);

        var (_, read) = await Wire.GetAsync(admin, "/acore/keys/" + id);
        Assert.Null(read!["key"]);
        Assert.Null(read["hash"]);
        Assert.Equal("team-a", (string?)read["owner"]);
        Assert.Equal(50, (int)read["rpm"]!);
        Assert.Equal("monthly", (string?)read["budget_period"]);
        Assert.EndsWith(secret[^4..], (string?)read["hint"], StringComparison.Ordinal);
        Assert.DoesNotContain(secret, await File.ReadAllTextAsync(fx.KeysFile), StringComparison.Ordinal);

        using var patch = new HttpRequestMessage(HttpMethod.Patch, "/acore/keys/" + id) { Content = Wire.Json("""{"rpm":null,"disabled":true}""") };
        using var patched = await admin.SendAsync(patch);
        var view = JsonNode.Parse(await patched.Content.ReadAsStringAsync())!;
        Assert.Null(view["rpm"]);
        Assert.True((bool)view["disabled"]!);

        var (_, list) = await Wire.GetAsync(admin, "/acore/keys");
        Assert.Contains(list!["data"]!.AsArray(), k => (string?)k!["id"] == id);

        using var deleted = await admin.DeleteAsync("/acore/keys/" + id);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        using var gone = await admin.GetAsync("/acore/keys/" + id);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Theory]
    [InlineData("""{"owner":"x"}""", "name")]
    [InlineData("""{"name":"x","budget":5}""", "budget")]
    [InlineData("""{"name":"x","rpm":0}""", "rpm")]
    [InlineData("""{"name":"x","budget_period":"yearly"}""", "budget_period")]
    [InlineData("""{"name":"x","routes":["v1/chat"]}""", "routes")]
    [InlineData("""{"name":"x","scopes":["root"]}""", "scopes")]
    [InlineData("""{"name":"x","expires_at":"soon"}""", "expires_at")]
    public async Task A_bad_key_body_is_a_400_naming_the_field(string body, string field)
    {
        using var admin = fx.Admin();
        var (response, error) = await Wire.PostAsync(admin, "/acore/keys", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, (string?)error!["error"]!["param"]);
    }

    [Fact]
    public async Task Only_the_server_token_or_an_admin_key_manages_keys()
    {
        var (_, plain) = await fx.CreateKeyAsync();
        var (_, adminKey) = await fx.CreateKeyAsync("""
            "scopes":["admin"]
            """);

        using var asPlain = fx.As(plain);
        var (refused, error) = await Wire.PostAsync(asPlain, "/acore/keys", """{"name":"escalate"}""");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("admin_scope_required", (string?)error!["error"]!["code"]);

        using var asAdmin = fx.As(adminKey);
        var (made, _) = await Wire.PostAsync(asAdmin, "/acore/keys", """{"name":"by-admin-key"}""");
        Assert.Equal(HttpStatusCode.Created, made.StatusCode);
    }

    [Fact]
    public async Task A_key_answers_like_the_server_token_and_is_never_sent_upstream()
    {
        var (_, secret) = await fx.CreateKeyAsync();
        using var http = fx.As(secret);

        var (response, body) = await Wire.PostAsync(http, "/v1/chat/completions", Chat);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(body!["choices"]);
        Assert.DoesNotContain(fx.Upstream.LastChatRequest.Headers, h => h.Value.Contains(secret, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("\"disabled\":true", "key_disabled")]
    [InlineData("\"expires_at\":\"2020-01-01T00:00:00Z\"", "key_expired")]
    public async Task A_disabled_or_expired_key_is_a_401(string fields, string code)
    {
        var (_, secret) = await fx.CreateKeyAsync(fields);
        using var http = fx.As(secret);
        var before = fx.Upstream.ChatRequestCount;

        var (response, body) = await Wire.PostAsync(http, "/v1/chat/completions", Chat);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(code, (string?)body!["error"]!["code"]);
        Assert.Equal(before, fx.Upstream.ChatRequestCount);
    }

    [Fact]
    public async Task An_unknown_key_is_a_401()
    {
        using var http = fx.As("ack-" + new string('x', 43));
        var (response, body) = await Wire.PostAsync(http, "/v1/chat/completions", Chat);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("authentication_error", (string?)body!["error"]!["type"]);
    }

    [Theory]
    [InlineData("/v1/chat/completions", """{"model":"anthropic/claude-sonnet-4","messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("/v1/responses", """{"model":"anthropic/claude-sonnet-4","input":"hi"}""")]
    [InlineData("/v1/messages", """{"model":"anthropic/claude-sonnet-4","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("/anthropic/v1/chat/completions", """{"model":"claude-sonnet-4","messages":[{"role":"user","content":"hi"}]}""")]
    public async Task A_key_limited_to_some_models_gets_403_on_others(string path, string body)
    {
        var (_, secret) = await fx.CreateKeyAsync("""
            "models":["openai/*","openai-compatible/*"]
            """);
        using var http = fx.As(secret);

        var (response, error) = await Wire.PostAsync(http, path, body);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("anthropic/claude-sonnet-4", error!.ToJsonString(), StringComparison.Ordinal);
        var (allowed, _) = await Wire.PostAsync(http, "/v1/chat/completions", Chat);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task A_key_limited_to_some_routes_gets_403_on_others()
    {
        var (_, secret) = await fx.CreateKeyAsync("""
            "routes":["/v1/models"]
            """);
        using var http = fx.As(secret);

        var (refused, error) = await Wire.PostAsync(http, "/v1/chat/completions", Chat);
        using var models = await http.GetAsync("/v1/models");

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("route_not_allowed", (string?)error!["error"]!["code"]);
        Assert.Equal(HttpStatusCode.OK, models.StatusCode);
    }

    [Theory]
    [InlineData("chat")]
    [InlineData("stream")]
    [InlineData("responses")]
    [InlineData("messages")]
    public async Task A_budget_stops_the_key_after_the_request_that_crossed_it(string route)
    {
        var (id, secret) = await fx.CreateKeyAsync("\"budget_usd\":0.01");
        using var http = fx.As(secret);

        var (first, _) = await CallAsync(http, route);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var before = fx.Upstream.ChatRequestCount;
        var (second, error) = await CallAsync(http, route);

        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        if (route == "messages")
        {
            Assert.Contains("budget", (string?)error!["error"]!["message"], StringComparison.Ordinal); // Anthropic's envelope
        }
        else
        {
            Assert.Equal("insufficient_quota", (string?)error!["error"]!["code"]);
            Assert.Equal("insufficient_quota", (string?)error["error"]!["type"]);
        }

        Assert.Equal(before, fx.Upstream.ChatRequestCount); // refused before any upstream call
        using var admin = fx.Admin();
        var spend = await KeyAdmin.SpendAsync(admin, id);
        Assert.Equal(18 * KeysFixture.PerMTok / 1_000_000m, (decimal)spend!["cost_usd"]!);
        Assert.Equal(1, (int)spend["requests"]!);
    }

    [Fact]
    public async Task A_whole_answer_says_its_cost()
    {
        var (_, secret) = await fx.CreateKeyAsync();
        using var http = fx.As(secret);

        var (response, _) = await Wire.PostAsync(http, "/v1/chat/completions", Chat);

        Assert.Equal("0.018", Wire.Header(response, "X-AbstractCore-Cost"));
    }

    [Fact]
    public async Task A_client_that_leaves_a_stream_is_billed_for_what_the_upstream_generated_until_cancel()
    {
        var (id, secret) = await fx.CreateKeyAsync();
        using var http = fx.As(secret);
        var words = string.Join(' ', Enumerable.Range(1, 200).Select(i => "w" + i));
        fx.Upstream.Enqueue(FakeReply.Paced(words, TimeSpan.FromMilliseconds(20)));
        var sentBefore = fx.Upstream.ContentChunksSent;

        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = Wire.Json("""{"model":"openai-compatible/fake-model","stream":true,"messages":[{"role":"user","content":"hi"}]}"""),
        })
        using (var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            var chunks = 0;
            while (chunks < 5 && await reader.ReadLineAsync() is { } line)
            {
                chunks += line.StartsWith("data: ", StringComparison.Ordinal) ? 1 : 0;
            }
        } // the client leaves after 5 chunks

        Assert.True(await fx.Upstream.WaitForCancellationAsync(TimeSpan.FromSeconds(10)), "the upstream call was not cancelled");
        var sent = fx.Upstream.ContentChunksSent - sentBefore;
        using var admin = fx.Admin();
        JsonNode? spend = null;
        for (var i = 0; i < 100 && spend is null; i++)
        {
            spend = await KeyAdmin.SpendAsync(admin, id);
            await Task.Delay(spend is null ? 50 : 0);
        }

        // A chunk a token, the role chunk included; what the upstream sent after the gateway stopped reading is not counted.
        var output = (long)spend!["output_tokens"]!;
        Assert.InRange(output, 5, sent + 1);
        Assert.True(sent < 200, "the upstream generated the whole answer: the call was not cancelled");
        Assert.Equal(1, (int)spend["estimated_requests"]!);
        Assert.True((decimal)spend["cost_usd"]! > 0);
    }

    /// <summary>One billed call on <paramref name="route"/>: chat, streamed chat (read to its end), Responses or Messages.</summary>
    private static async Task<(HttpResponseMessage Response, JsonNode? Body)> CallAsync(HttpClient http, string route)
    {
        var (path, body) = route switch
        {
            "responses" => ("/v1/responses", """{"model":"openai-compatible/fake-model","input":"hi","store":false}"""),
            "messages" => ("/v1/messages", """{"model":"openai-compatible/fake-model","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}"""),
            "stream" => ("/v1/chat/completions", """{"model":"openai-compatible/fake-model","stream":true,"messages":[{"role":"user","content":"hi"}]}"""),
            _ => ("/v1/chat/completions", Chat),
        };
        var response = await http.PostAsync(path, Wire.Json(body));
        var text = await response.Content.ReadAsStringAsync();
        if (route == "stream" && response.IsSuccessStatusCode)
        {
            Assert.Contains("data: [DONE]", text, StringComparison.Ordinal);
            return (response, null);
        }

        return (response, JsonNode.Parse(text));
    }
}

using System.Net;
using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;

namespace AbstractCore.Api.Tests.Responses;

/// <summary><c>GET /v1/responses/{id}/input_items</c>: the items a stored request sent, paged as OpenAI pages them.</summary>
public sealed class ResponsesInputItemsTests(GatewayFixture fx) : IClassFixture<GatewayFixture>
{
    private async Task<string> CreateAsync(HttpClient http, string input)
    {
        fx.Upstream.Enqueue(FakeReply.Text("ok"));
        var (response, body) = await Wire.PostAsync(http, "/v1/responses", $$"""{"model":"{{GatewayFixture.Model}}","input":{{input}}}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (string)body!["id"]!;
    }

    private static async Task<(HttpStatusCode Status, JsonNode Body)> GetAsync(HttpClient http, string path)
    {
        var response = await http.GetAsync(path);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    private static List<string?> Texts(JsonNode list) =>
        list["data"]!.AsArray().Select(i => (string?)i!["content"]?[0]?["text"] ?? (string?)i!["type"]).ToList();

    [Fact]
    public async Task A_string_input_is_one_user_message_item_with_an_input_text_part()
    {
        using var http = fx.Http();
        var id = await CreateAsync(http, "\"hello\"");

        var (status, list) = await GetAsync(http, $"/v1/responses/{id}/input_items");

        Assert.Equal(HttpStatusCode.OK, status);
        var item = list["data"]![0]!;
        Assert.Equal("message", (string?)item["type"]);
        Assert.Equal("user", (string?)item["role"]);
        Assert.StartsWith("msg_", (string?)item["id"], StringComparison.Ordinal);
        Assert.Equal("""[{"type":"input_text","text":"hello"}]""", item["content"]!.ToJsonString());
        Assert.Equal((string?)item["id"], (string?)list["first_id"]);
        Assert.Equal((string?)item["id"], (string?)list["last_id"]);
    }

    [Fact]
    public async Task Items_come_newest_first_by_default_and_page_with_limit_and_after()
    {
        using var http = fx.Http();
        var id = await CreateAsync(http, """
            [{"role":"user","content":"a"},{"role":"assistant","content":"b"},
             {"type":"function_call","call_id":"c1","name":"f","arguments":"{}"},
             {"type":"function_call_output","call_id":"c1","output":"r"},{"role":"user","content":"e"}]
            """);

        var (_, desc) = await GetAsync(http, $"/v1/responses/{id}/input_items");
        Assert.Equal(["e", "function_call_output", "function_call", "b", "a"], Texts(desc));
        Assert.Equal("output_text", (string?)desc["data"]![3]!["content"]![0]!["type"]);
        Assert.StartsWith("fc_", (string?)desc["data"]![2]!["id"], StringComparison.Ordinal);

        var (_, page1) = await GetAsync(http, $"/v1/responses/{id}/input_items?order=asc&limit=2");
        Assert.Equal(["a", "b"], Texts(page1));
        Assert.True((bool)page1["has_more"]!);

        var (_, page2) = await GetAsync(http, $"/v1/responses/{id}/input_items?order=asc&limit=2&after={(string?)page1["last_id"]}");
        Assert.Equal(["function_call", "function_call_output"], Texts(page2));
        Assert.True((bool)page2["has_more"]!);

        var (_, page3) = await GetAsync(http, $"/v1/responses/{id}/input_items?order=asc&limit=2&after={(string?)page2["last_id"]}");
        Assert.Equal(["e"], Texts(page3));
        Assert.False((bool)page3["has_more"]!);
    }

    [Theory]
    [InlineData("order=sideways", "order", "'order' must be 'asc' or 'desc', not 'sideways'.")]
    [InlineData("limit=0", "limit", "'limit' must be an integer from 1 to 100.")]
    [InlineData("limit=101", "limit", "'limit' must be an integer from 1 to 100.")]
    [InlineData("limit=ten", "limit", "'limit' must be an integer from 1 to 100.")]
    [InlineData("after=msg_nope", "after", "No input item with id 'msg_nope' in response")]
    public async Task Bad_paging_parameters_are_400_naming_the_parameter(string query, string param, string message)
    {
        using var http = fx.Http();
        var id = await CreateAsync(http, "\"x\"");

        var (status, body) = await GetAsync(http, $"/v1/responses/{id}/input_items?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(param, (string?)body["error"]!["param"]);
        Assert.StartsWith(message, (string?)body["error"]!["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_response_is_404()
    {
        using var http = fx.Http();

        var (status, body) = await GetAsync(http, "/v1/responses/resp_missing/input_items");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("Response with id 'resp_missing' not found.", (string?)body["error"]!["message"]);
    }
}

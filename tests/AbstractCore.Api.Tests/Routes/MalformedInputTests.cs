using System.Text;
using System.Text.Json.Nodes;

namespace AbstractCore.Api.Tests.Routes;

/// <summary>
/// Each class of malformed input the adversarial run found answered 5xx (issue 13, point 3), sent to every route that
/// takes a body: a 400 in the OpenAI envelope (the control plane's on the bloc routes) naming the field, and nothing
/// sent upstream. The bodies are the routes'
/// own OpenAPI examples with one fault put in, so a route added to <see cref="ApiRoutes"/> is covered by its row.
/// </summary>
public sealed class MalformedInputTests(RoutesFixture fx) : IClassFixture<RoutesFixture>
{
    public static TheoryData<ApiRoute> JsonRoutes => ApiRoutes.Theory(ApiRoutes.WithBody.Where(r => r.Body == BodyKind.Json));

    public static TheoryData<ApiRoute> MultipartRoutes => ApiRoutes.Theory(ApiRoutes.WithBody.Where(r => r.Body == BodyKind.Multipart));

    /// <summary>The chat-shaped routes, whose text may also be asked for as a stream.</summary>
    public static TheoryData<ApiRoute, bool> ChatRoutes
    {
        get
        {
            var data = new TheoryData<ApiRoute, bool>();
            foreach (var route in ApiRoutes.WithBody.Where(r => r.Template.EndsWith("/chat/completions", StringComparison.Ordinal) ||
                                                                 r.Template.EndsWith("/responses", StringComparison.Ordinal)))
            {
                data.Add(route, false);
                data.Add(route, true);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(JsonRoutes))]
    public async Task A_lone_surrogate_escape_in_text_is_a_400_naming_the_field(ApiRoute route)
    {
        var (body, field) = WithText(route, "\"hi \\ud800 there\""u8.ToArray());
        await AssertRefusedAsync(route, body, field, "invalid_text");
    }

    [Theory]
    [MemberData(nameof(JsonRoutes))]
    public async Task Invalid_utf8_in_text_is_a_400_naming_the_field(ApiRoute route)
    {
        var (body, field) = WithText(route, [.. "\"hi "u8, 0xFF, 0xC3, .. " there\""u8]);
        await AssertRefusedAsync(route, body, field, "invalid_text");
    }

    [Theory]
    [MemberData(nameof(ChatRoutes))]
    public async Task Bad_text_in_chat_and_responses_is_a_400_plain_or_streamed(ApiRoute route, bool stream)
    {
        foreach (var text in (byte[][])["\"\\udc00 alone\""u8.ToArray(), [.. "\"cut "u8, 0xE2, 0x82, .. "\""u8]])
        {
            var (body, field) = WithText(route, text, example => example["stream"] = stream);
            await AssertRefusedAsync(route, body, field, "invalid_text");
        }
    }

    [Theory]
    [MemberData(nameof(JsonRoutes))]
    public async Task A_duplicate_key_is_a_400_naming_the_key(ApiRoute route)
    {
        var example = fx.Examples[route].Fields;
        var (key, value) = example.First();
        await AssertRefusedAsync(route, Prepend(example, Encoding.UTF8.GetBytes($"\"{key}\":{value!.ToJsonString()},")), key, "duplicate_key");
    }

    [Theory]
    [MemberData(nameof(JsonRoutes))]
    public async Task Invalid_utf8_in_a_key_is_a_400_pointing_at_the_key(ApiRoute route)
    {
        var body = Prepend(fx.Examples[route].Fields, [.. "\"na"u8, 0xFF, .. "me\":1,"u8]);
        await AssertRefusedAsync(route, body, "na\uFFFDme", "invalid_text");
    }

    [Theory]
    [MemberData(nameof(JsonRoutes))]
    public async Task Invalid_utf8_in_an_unknown_field_is_a_400_not_an_upstream_error(ApiRoute route)
    {
        var body = Prepend(fx.Examples[route].Fields, [.. "\"x_unknown\":\"a"u8, 0xFF, .. "b\","u8]);
        await AssertRefusedAsync(route, body, "x_unknown", "invalid_text");
    }

    [Theory]
    [MemberData(nameof(JsonRoutes))]
    public async Task A_number_beyond_a_doubles_range_is_a_400_naming_the_field(ApiRoute route)
    {
        var body = Prepend(fx.Examples[route].Fields, "\"n\":{\"x\":1e999999},"u8);
        await AssertRefusedAsync(route, body, "n.x", "invalid_number");
    }

    [Theory]
    [MemberData(nameof(JsonRoutes))]
    public async Task A_body_nested_deeper_than_the_parsers_limit_is_a_400_saying_so(ApiRoute route)
    {
        var body = Prepend(fx.Examples[route].Fields, Encoding.UTF8.GetBytes($"\"deep\":{new string('[', 200)}{new string(']', 200)},"));
        var sentBefore = fx.UpstreamCalls;
        using var http = fx.Http();
        var (status, error) = await RouteCalls.SendAsync(http, route, body, "application/json");

        Assert.Equal(400, status);
        RouteCalls.AssertFailureEnvelope(route, error);
        Assert.Contains("nested deeper than 64", RouteCalls.ErrorField(error, "message"), StringComparison.Ordinal);
        Assert.Equal(sentBefore, fx.UpstreamCalls);
    }

    [Theory]
    [MemberData(nameof(JsonRoutes))]
    public async Task An_empty_model_after_the_provider_is_a_400_naming_model(ApiRoute route)
    {
        var example = (JsonObject)fx.Examples[route].Fields.DeepClone();
        if ((string?)example["model"] is not { } model || !model.Contains('/', StringComparison.Ordinal))
        {
            return; // the control plane and capability defaults take provider and model apart: no provider/model to split
        }

        example["model"] = "openai-compatible/";
        await AssertRefusedAsync(route, Encoding.UTF8.GetBytes(example.ToJsonString()), "model", null);
    }

    [Theory]
    [MemberData(nameof(MultipartRoutes))]
    public async Task A_boundary_longer_than_rfc_2046_allows_is_a_400(ApiRoute route)
    {
        var form = fx.Examples[route].Multipart();
        form.Boundary = new string('b', 5000);
        var (body, contentType) = form.Encode();
        await AssertRefusedAsync(route, body, null, "invalid_multipart", contentType);
    }

    [Theory]
    [MemberData(nameof(MultipartRoutes))]
    public async Task A_nul_in_a_file_name_is_a_400_naming_the_file_field(ApiRoute route)
    {
        var example = fx.Examples[route];
        var form = example.Multipart();
        var field = example.FileFields[0];
        var file = form.Parts.Single(p => p.Name == field);
        form.Parts[form.Parts.IndexOf(file)] = file with { FileName = "a\0b" + Path.GetExtension(file.FileName) };
        var (body, contentType) = form.Encode();
        await AssertRefusedAsync(route, body, field, "invalid_file_name", contentType);
    }

    [Theory]
    [InlineData("/v1/vision/jobs/job_test?consume=maybe", "consume")]
    [InlineData("/providers?include_models=maybe", "include_models")]
    public async Task A_query_value_that_does_not_bind_is_a_400_in_the_envelope(string path, string param)
    {
        using var http = fx.Http();
        var (status, error) = await RouteCalls.SendAsync(http, new ApiRoute("GET", path, BodyKind.None), null, null);

        Assert.Equal(400, status);
        RouteCalls.AssertEnvelope(path, error);
        Assert.Equal(param, (string?)error!["error"]!["param"]);
    }

    public static TheoryData<ApiRoute> AllRoutes => ApiRoutes.Theory(ApiRoutes.All);

    [Theory]
    [MemberData(nameof(AllRoutes))]
    public async Task A_method_the_route_does_not_map_is_a_405_in_the_envelope(ApiRoute route)
    {
        using var http = fx.Http();
        var mapped = ApiRoutes.All.Where(r => r.Template == route.Template).Select(r => r.Method).ToHashSet();
        var unmapped = ((string[])["PATCH", "PUT", "TRACE"]).First(m => !mapped.Contains(m));
        var (status, error) = await RouteCalls.SendAsync(http, route with { Method = unmapped }, null, null);

        Assert.Equal(405, status);
        RouteCalls.AssertEnvelope(route, error);
        Assert.Contains(route.Method, (string?)error!["error"]!["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_path_no_route_matches_is_a_404_in_the_envelope()
    {
        using var http = fx.Http();
        var (status, error) = await RouteCalls.SendAsync(http, new ApiRoute("POST", "/v1/no/such/route", BodyKind.None), [], "application/json");

        Assert.Equal(404, status);
        RouteCalls.AssertEnvelope("/v1/no/such/route", error);
    }

    /// <summary>The example with its last text value replaced by <paramref name="json"/> (a JSON string token, given as
    /// bytes so it can hold what no .NET string can); returns the body and that value's path.</summary>
    private (byte[] Body, string Field) WithText(ApiRoute route, byte[] json, Action<JsonObject>? edit = null)
    {
        var example = (JsonObject)fx.Examples[route].Fields.DeepClone();
        edit?.Invoke(example);
        var (node, field) = LastText(example, null, skipNames: true) ?? LastText(example, null, skipNames: false)
                            ?? throw new InvalidOperationException($"{route}'s example has no text value.");
        node.ReplaceWith(JsonValue.Create(Marker));
        return (Replace(Encoding.UTF8.GetBytes(example.ToJsonString()), Encoding.UTF8.GetBytes($"\"{Marker}\""), json), field);
    }

    private const string Marker = "@@fault@@";

    /// <summary>The last string value, depth first: the message text on chat routes. Model and provider names are
    /// only taken when the example has no other text (they are checked before they route).</summary>
    private static (JsonNode Node, string Path)? LastText(JsonNode? node, string? path, bool skipNames) => node switch
    {
        JsonObject o => o.Reverse().Select(p => LastText(p.Value, path is null ? p.Key : $"{path}.{p.Key}", skipNames)).FirstOrDefault(x => x is not null),
        JsonArray a => a.Select((n, i) => (n, i)).Reverse().Select(x => LastText(x.n, $"{path}[{x.i}]", skipNames)).FirstOrDefault(x => x is not null),
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String && !(skipNames && path is "model" or "provider") => (v, path!),
        _ => null,
    };

    private static byte[] Prepend(JsonObject example, ReadOnlySpan<byte> members) =>
        [(byte)'{', .. members, .. Encoding.UTF8.GetBytes(example.ToJsonString()).AsSpan(1)];

    private static byte[] Replace(byte[] text, byte[] what, byte[] with)
    {
        var at = text.AsSpan().IndexOf(what);
        return [.. text.AsSpan(0, at), .. with, .. text.AsSpan(at + what.Length)];
    }

    private async Task AssertRefusedAsync(ApiRoute route, byte[] body, string? param, string? code, string contentType = "application/json")
    {
        var sentBefore = fx.UpstreamCalls;
        using var http = fx.Http();
        var (status, error) = await RouteCalls.SendAsync(http, route, body, contentType);

        Assert.True(status == 400, $"{route}: expected 400, got {status}: {error}");
        RouteCalls.AssertFailureEnvelope(route, error);
        if (route.AnthropicErrors)
        {
            Assert.Contains(param ?? "", RouteCalls.ErrorField(error, "message"), StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(param, RouteCalls.ErrorField(error, "param"));
        }

        if (code is not null && !route.AnthropicErrors)
        {
            Assert.Equal(code, RouteCalls.ErrorField(error, "code"));
        }

        Assert.Equal(sentBefore, fx.UpstreamCalls);
    }
}

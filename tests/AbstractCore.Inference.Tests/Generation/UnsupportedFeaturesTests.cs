using System.Net;
using AbstractCore.Inference.Tests.Infrastructure;
using AbstractCore.TinyModels;

namespace AbstractCore.Inference.Tests.Generation;

/// <summary>What a local model cannot honour (tool calls, JSON output) is a 400 naming the field, from Inference
/// directly and relayed as such by the gateway; what asks for nothing it cannot do is answered.</summary>
public sealed class UnsupportedFeaturesTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private const string Tool = """[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{}}}}]""";

    public static TheoryData<string, string, string> Refused => new()
    {
        { "'tools':TOOL", "tools", "unsupported_parameter" },
        { "'tools':TOOL,'tool_choice':'auto'", "tools", "unsupported_parameter" },
        { "'tools':TOOL,'tool_choice':'required'", "tools", "unsupported_parameter" },
        { "'tools':{'type':'function'}", "tools", "" },
        { "'response_format':{'type':'json_object'}", "response_format", "unsupported_parameter" },
        { "'response_format':{'type':'json_schema','json_schema':{'name':'w','schema':{'type':'object'}}}", "response_format", "unsupported_parameter" },
        { "'response_format':{'type':'xml'}", "response_format", "" },
        { "'response_format':'json'", "response_format", "" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Inference_refuses_it_with_a_400_naming_the_field(string fields, string param, string code) =>
        AssertRefused(await Wire.PostAsync(fixture.Inference.Http, "v1/chat/completions", Body("tiny", fields)), param, code);

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task The_gateway_relays_the_refusal_as_a_400(string fields, string param, string code)
    {
        var (response, body) = await Wire.PostAsync(fixture.Gateway.Http(), "v1/chat/completions", Body("onnx/tiny", fields));

        // A malformed response_format is the gateway's own 400 for every provider, before anything is sent.
        AssertRefused((response, body), param, param == "response_format" && code.Length == 0 ? "invalid_response_format" : code);
        if (code.Length > 0)
        {
            // Inference's own words: the gateway relayed the refusal instead of answering for the model.
            Assert.Contains("local ONNX", (string?)body!["error"]!["message"], StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("'response_format':{'type':'text'}")]
    [InlineData("'tools':TOOL,'tool_choice':'none'")]
    [InlineData("'tools':[]")]
    public async Task What_asks_for_plain_text_is_answered(string fields)
    {
        foreach (var (http, model) in new[] { (fixture.Inference.Http, "tiny"), (fixture.Gateway.Http(), "onnx/tiny") })
        {
            var (response, body) = await Wire.PostAsync(http, "v1/chat/completions", Body(model, fields));

            Assert.True(response.StatusCode == HttpStatusCode.OK, body?.ToJsonString());
            Assert.Equal(TinyVocabulary.ChatAnswer, (string?)body!["choices"]![0]!["message"]!["content"]);
        }
    }

    private static string Body(string model, string fields) =>
        $$"""{"model":"{{model}}","messages":[{"role":"user","content":"Hi"}],{{fields.Replace('\'', '"').Replace("TOOL", Tool, StringComparison.Ordinal)}}}""";

    private static void AssertRefused((HttpResponseMessage Response, System.Text.Json.Nodes.JsonNode? Body) reply, string param, string code)
    {
        var (response, body) = reply;
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {body?.ToJsonString()}");
        var error = body!["error"]!;
        Assert.Equal(param, (string?)error["param"]);
        Assert.Equal("invalid_request_error", (string?)error["type"]);
        Assert.Equal(code, (string?)error["code"] ?? "");
        Assert.Contains(param, (string?)error["message"], StringComparison.Ordinal);
    }
}

using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;

namespace AbstractCore.Api.Tests.Docs;

public sealed class OpenApiTests(GatewayFixture fx) : IClassFixture<GatewayFixture>
{
    private static readonly string[] BodyMethods = ["post", "put", "patch"];

    private static IEnumerable<(string Path, string Method, JsonNode Operation)> Operations(JsonNode doc) =>
        doc["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(op => (p.Key, op.Key, op.Value!)));

    [Fact]
    public async Task Every_operation_that_takes_a_body_has_an_executable_example()
    {
        using var http = fx.Gateway.CreateClient();
        var doc = JsonNode.Parse(await http.GetStringAsync("/openapi.json"))!;

        var writes = Operations(doc)
            .Where(o => BodyMethods.Contains(o.Method))
            // Reserved for compatibility: it answers 501 whatever it is sent, so it documents no body.
            .Where(o => o.Path != "/v1/audio/translations")
            .ToList();
        Assert.NotEmpty(writes);
        foreach (var path in (string[])["/v1/chat/completions", "/{provider}/v1/chat/completions", "/v1/responses", "/v1/embeddings",
                     "/v1/images/generations", "/v1/images/edits", "/v1/videos/generations", "/v1/audio/speech", "/v1/audio/transcriptions",
                     "/v1/voice/clone", "/v1/audio/music", "/v1/vision/jobs/images/generations", "/v1/config/capability-defaults/{kind}/{modality}",
                     "/acore/models/load", "/acore/models/unload", "/acore/prompt_cache/set", "/acore/prompt_cache/prepare_modules",
                     "/acore/blocs/upsert_text", "/acore/blocs/kv/ensure", "/acore/blocs/kv/load"])
        {
            Assert.Contains(writes, w => w.Path == path);
        }

        foreach (var (path, method, operation) in writes)
        {
            var content = operation["requestBody"]?["content"]?.AsObject();
            Assert.True(content is { Count: 1 }, $"{method} {path} documents no request body");
            var (mediaType, media) = content!.Single();
            Assert.True(mediaType is "application/json" or "multipart/form-data", $"{method} {path}: {mediaType}");
            var example = media!["example"];
            Assert.True(example is JsonObject, $"{method} {path} has no request example");
            // Executable as is: it names a model (multipart forms list their fields the same way); the bloc records and the
            // virtual keys are the gateway's own stores, which no model serves.
            if (path is not ("/acore/blocs/upsert_text" or "/acore/blocs/delete" or "/acore/keys" or "/acore/keys/{id}"))
            {
                Assert.False(string.IsNullOrEmpty((string?)example!["model"]), $"{method} {path}: the example names no model");
            }

            Assert.False(string.IsNullOrEmpty((string?)operation["summary"]), $"{method} {path} has no summary");
        }
    }

    [Theory]
    [InlineData("/v1/chat/completions")]
    [InlineData("/{provider}/v1/chat/completions")]
    [InlineData("/v1/responses")]
    public async Task Chat_and_responses_schemas_document_the_prompt_cache_fields_and_timeout_s(string path)
    {
        using var http = fx.Gateway.CreateClient();
        var doc = JsonNode.Parse(await http.GetStringAsync("/openapi.json"))!;

        var schema = doc["paths"]![path]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!;
        if ((string?)schema["$ref"] is { } reference)
        {
            schema = doc["components"]!["schemas"]![reference[(reference.LastIndexOf('/') + 1)..]]!;
        }

        var properties = schema["properties"]!.AsObject();
        foreach (var field in (string[])["prompt_cache_key", "prompt_cache_retention", "prompt_cache_binding", "timeout_s"])
        {
            Assert.True(properties.ContainsKey(field), $"{path}: {field} is not documented");
            Assert.False(string.IsNullOrEmpty((string?)properties[field]!["description"]), $"{path}: {field} has no description");
        }

        Assert.Contains("0 or less: no deadline", (string?)properties["timeout_s"]!["description"], StringComparison.Ordinal);
        var binding = properties["prompt_cache_binding"]!["oneOf"]!.AsArray();
        Assert.Contains(binding, b => b!["type"]?.ToJsonString().Contains("object", StringComparison.Ordinal) == true);
        Assert.Contains(binding, b => b!["type"]?.ToJsonString().Contains("string", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task With_a_server_token_every_operation_but_health_requires_the_bearer_scheme()
    {
        using var http = fx.Gateway.CreateClient();
        var doc = JsonNode.Parse(await http.GetStringAsync("/openapi.json"))!;

        var scheme = doc["components"]!["securitySchemes"]!["AbstractCoreBearerAuth"]!;
        Assert.Equal("http", (string?)scheme["type"]);
        Assert.Equal("bearer", (string?)scheme["scheme"]);
        Assert.Equal("server auth token", (string?)scheme["bearerFormat"]);
        foreach (var (path, method, operation) in Operations(doc))
        {
            var security = operation["security"]!.AsArray();
            if (path == "/health")
            {
                Assert.Empty(security);
            }
            else
            {
                Assert.True(security.Count == 1 && security[0]!["AbstractCoreBearerAuth"] is JsonArray, $"{method} {path}: {security.ToJsonString()}");
            }
        }
    }

    [Fact]
    public async Task Without_a_server_token_the_document_has_no_bearer_scheme()
    {
        await using var gateway = new GatewayFactory(new Dictionary<string, string?> { ["ABSTRACTCORE_SERVER_ALLOW_UNAUTHENTICATED"] = "1" });
        using var http = gateway.CreateClient();
        var doc = JsonNode.Parse(await http.GetStringAsync("/openapi.json"))!;

        Assert.Null(doc["components"]?["securitySchemes"]);
        Assert.All(Operations(doc), o => Assert.Null(o.Operation["security"]));
        Assert.DoesNotContain("AbstractCoreBearerAuth", doc.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Docs_lite_lists_every_operation_with_a_link_into_docs_and_no_script()
    {
        using var http = fx.Gateway.CreateClient();
        var doc = JsonNode.Parse(await http.GetStringAsync("/openapi.json"))!;
        using var response = await http.GetAsync("/docs-lite");
        var page = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("lightweight documentation view", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", page, StringComparison.OrdinalIgnoreCase);
        foreach (var (path, method, operation) in Operations(doc))
        {
            var tag = ((string)operation["tags"]![0]!).ToLowerInvariant().Replace(' ', '-');
            var html = System.Text.Encodings.Web.HtmlEncoder.Default;
            Assert.Contains($"<a href=\"{html.Encode($"docs/#tag/{tag}/{method.ToUpperInvariant()}{path}")}\"><code>{html.Encode(path)}</code></a>",
                page, StringComparison.Ordinal);
            Assert.Contains(html.Encode((string)operation["summary"]!), page, StringComparison.Ordinal);
        }
    }
}

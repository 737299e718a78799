using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;

namespace AbstractCore.Api.Tests.Docs;

public sealed class OpenApiTests(GatewayFixture fx) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task Every_request_body_has_an_executable_example_and_docs_are_served_locally()
    {
        using var http = fx.Gateway.CreateClient();
        var doc = JsonNode.Parse(await http.GetStringAsync("/openapi.json"))!;

        var bodies = doc["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Select(op => (Path: p.Key, Body: op.Value!["requestBody"])))
            .Where(x => x.Body is not null)
            .ToList();
        Assert.Contains(bodies, b => b.Path == "/v1/chat/completions");
        Assert.Contains(bodies, b => b.Path == "/v1/images/edits");
        Assert.Contains(bodies, b => b.Path == "/v1/vision/jobs/images/generations");
        foreach (var (path, body) in bodies)
        {
            // JSON bodies, and the multipart forms of the upload routes.
            var example = body!["content"]!.AsObject().Single().Value!["example"];
            Assert.True(example is not null, $"{path} has no request example");
            Assert.False(string.IsNullOrEmpty((string?)example!["model"]), path);
        }

        var page = await http.GetStringAsync("/docs/");
        Assert.Contains("scalar.js", page, StringComparison.Ordinal);
        Assert.DoesNotContain("cdn.", page, StringComparison.OrdinalIgnoreCase);
    }
}

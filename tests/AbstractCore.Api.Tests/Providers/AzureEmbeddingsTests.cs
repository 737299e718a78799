using System.Net;
using AbstractCore.TestKit.FakeAzure;

namespace AbstractCore.Api.Tests.Providers;

/// <summary><c>POST /v1/embeddings</c> for <c>azure/&lt;deployment&gt;</c> through the connector's embedding service, the
/// official SDK's <c>EmbeddingClient</c> as the client (which asks for base64), and raw HTTP for floats.</summary>
public sealed class AzureEmbeddingsTests(AzureFixture fx) : IClassFixture<AzureFixture>
{
    [Fact]
    public async Task The_sdk_gets_each_inputs_vector_and_azures_usage()
    {
        string[] inputs = ["hello azure world", "bye"];

        var result = (await fx.Embeddings("azure/text-embedding-3-small").GenerateEmbeddingsAsync(inputs,
            new global::OpenAI.Embeddings.EmbeddingGenerationOptions { Dimensions = 6 })).Value;

        Assert.Equal(2, result.Count);
        Assert.Equal(FakeAzureOpenAIUpstream.VectorFor(inputs[0], 6), result[0].ToFloats().ToArray());
        Assert.Equal(FakeAzureOpenAIUpstream.VectorFor(inputs[1], 6), result[1].ToFloats().ToArray());
        Assert.Equal("azure/text-embedding-3-small", result.Model);
        Assert.Equal(4, result.Usage.InputTokenCount); // the fake counts words: 3 + 1

        var sent = fx.Azure.LastEmbeddingsRequest;
        Assert.Equal($"/openai/deployments/text-embedding-3-small/embeddings?api-version={AzureFixture.ApiVersion}", sent.Path);
        Assert.Equal(fx.Azure.ApiKey, sent.Headers["api-key"]);
        Assert.Equal("""["hello azure world","bye"]""", sent.Json!["input"]!.ToJsonString());
        Assert.Equal(6, (int)sent.Json["dimensions"]!);
    }

    [Fact]
    public async Task Float_vectors_come_back_as_numbers_for_a_single_input()
    {
        using var http = fx.Http();

        var (response, body) = await Wire.PostAsync(http, "/v1/embeddings",
            """{"model":"azure/text-embedding-3-small","input":"one two","encoding_format":"float"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var item = Assert.Single(body!["data"]!.AsArray())!;
        Assert.Equal(0, (int)item["index"]!);
        Assert.Equal(FakeAzureOpenAIUpstream.VectorFor("one two", 4), item["embedding"]!.AsArray().Select(v => (float)v!).ToArray());
        Assert.Equal(2, (int)body["usage"]!["prompt_tokens"]!);
    }

    [Fact]
    public async Task An_embedding_deployment_the_resource_lacks_is_a_404()
    {
        using var http = fx.Http();

        var (response, body) = await Wire.PostAsync(http, "/v1/embeddings", """{"model":"azure/no-such-embedder","input":"x"}""");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.StartsWith("Provider 'azure' answered HTTP 404: The API deployment for this resource does not exist.", (string?)body!["error"]!["message"], StringComparison.Ordinal);
    }
}

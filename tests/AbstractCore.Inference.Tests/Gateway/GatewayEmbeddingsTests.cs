using System.ClientModel;
using System.Net;
using AbstractCore.Inference.Tests.Embeddings;
using AbstractCore.Inference.Tests.Infrastructure;
using AbstractCore.TinyModels;
using OpenAI.Embeddings;

namespace AbstractCore.Inference.Tests.Gateway;

/// <summary>Local embeddings through the Api with the official OpenAI SDK's <c>EmbeddingClient</c>: <c>onnx/&lt;model&gt;</c>
/// (and the original's <c>huggingface/&lt;repo id&gt;</c>) reach Inference; the vectors are the reference's exactly.</summary>
public sealed class GatewayEmbeddingsTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private static readonly EncoderSpec Tiny = TestModels.Encoders[TestModels.Embed];
    private static readonly float[] HelloWorld = EncoderReference.Embed(Tiny, EmbeddingsTests.Ids("[CLS]", "hello", "world", "[SEP]"));

    private GatewayHost Gateway => fixture.Gateway;

    [Fact]
    public async Task The_SDK_gets_the_exact_vector()
    {
        OpenAIEmbedding embedding = await Gateway.Embeddings("onnx/tiny-embed").GenerateEmbeddingAsync("hello world");

        EmbeddingsTests.AssertVector(HelloWorld, embedding.ToFloats().ToArray());
    }

    [Theory]
    [InlineData("float")]
    [InlineData("base64")]
    public async Task The_SDK_reads_float_and_base64_answers_alike(string format)
    {
        var result = await Gateway.Embeddings("onnx/tiny-embed").GenerateEmbeddingsAsync(BinaryContent.Create(BinaryData.FromString(
            $$"""{"model":"onnx/tiny-embed","input":["hello world","dog"],"encoding_format":"{{format}}"}""")));
        var raw = result.GetRawResponse().Content.ToString();
#pragma warning disable OPENAI001 // the SDK's own reading of a protocol-method answer (marked experimental): what its typed methods do
        var collection = (OpenAIEmbeddingCollection)result;
#pragma warning restore OPENAI001

        Assert.Contains(format == "float" ? "\"embedding\":[" : "\"embedding\":\"", raw, StringComparison.Ordinal);
        Assert.Equal("onnx/tiny-embed", collection.Model);
        Assert.Equal(4 + 3, collection.Usage.InputTokenCount);
        EmbeddingsTests.AssertVector(HelloWorld, collection[0].ToFloats().ToArray());
        EmbeddingsTests.AssertVector(EncoderReference.Embed(Tiny, EmbeddingsTests.Ids("[CLS]", "dog", "[SEP]")), collection[1].ToFloats().ToArray());
    }

    [Fact]
    public async Task A_list_and_dimensions_pass_through()
    {
        var spec = TestModels.Encoders[TestModels.EmbedBpe];
        OpenAIEmbeddingCollection collection = await Gateway.Embeddings("onnx/tiny-embed-bpe")
            .GenerateEmbeddingsAsync(["abc", "hello there", "z"], new EmbeddingGenerationOptions { Dimensions = 8 });

        Assert.Equal([0, 1, 2], collection.Select(e => e.Index));
        foreach (var (text, embedding) in new[] { "abc", "hello there", "z" }.Zip(collection))
        {
            var expected = EncoderReference.Cut(EncoderReference.Embed(spec, [.. System.Text.Encoding.UTF8.GetBytes(text).Select(b => (int)b)]), 8);
            EmbeddingsTests.AssertVector(expected, embedding.ToFloats().ToArray());
        }
    }

    [Fact]
    public async Task Huggingface_repo_ids_are_an_alias_for_the_local_folder()
    {
        OpenAIEmbedding embedding = await Gateway.Embeddings("huggingface/sentence-transformers/tiny-embed").GenerateEmbeddingAsync("hello world");

        EmbeddingsTests.AssertVector(HelloWorld, embedding.ToFloats().ToArray());
        using var http = Gateway.Http();
        var (_, body) = await Wire.PostAsync(http, "v1/embeddings", """{"model":"huggingface/sentence-transformers/tiny-embed","input":"dog"}""");
        Assert.Equal("huggingface/sentence-transformers/tiny-embed", (string?)body!["model"]);
    }

    [Fact]
    public async Task Empty_input_is_400_and_a_long_one_names_the_limit_unless_truncated()
    {
        using var http = Gateway.Http();
        var (empty, _) = await Wire.PostAsync(http, "v1/embeddings", """{"model":"onnx/tiny-embed","input":""}""");
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        // The SDK's typed method refuses an empty list itself; its protocol method sends one.
        var error = await Assert.ThrowsAsync<ClientResultException>(() => Gateway.Embeddings("onnx/tiny-embed").GenerateEmbeddingsAsync(
            BinaryContent.Create(BinaryData.FromString("""{"model":"onnx/tiny-embed","input":[]}"""))));
        Assert.Equal(400, error.Status);

        var text = string.Join(' ', Enumerable.Repeat("dog", 20));
        var (tooLong, refusal) = await Wire.PostAsync(http, "v1/embeddings", $$"""{"model":"onnx/tiny-embed","input":"{{text}}"}""");
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Contains("at most 16", (string)refusal!["error"]!["message"]!, StringComparison.Ordinal);

        var (cut, body) = await Wire.PostAsync(http, "v1/embeddings", $$"""{"model":"onnx/tiny-embed","input":"{{text}}","truncate":true}""");
        Assert.Equal(HttpStatusCode.OK, cut.StatusCode);
        EmbeddingsTests.AssertVector(EncoderReference.Embed(Tiny, EmbeddingsTests.Ids(["[CLS]", .. Enumerable.Repeat("dog", 14), "[SEP]"])), body!["data"]![0]!["embedding"]);
    }

    [Fact]
    public async Task Catalogs_list_the_local_embedding_models()
    {
        using var http = Gateway.Http();
        var (_, catalog) = await Wire.GetAsync(http, "v1/embeddings/providers");
        Assert.Contains("onnx", catalog!["providers"]!.AsArray().Select(p => (string?)p));
        var local = catalog["models_by_provider"]!["onnx"]!.AsArray().Select(m => (string?)m).ToList();
        Assert.Contains(TestModels.Embed, local);
        Assert.Contains(TestModels.EmbedBpe, local);
        Assert.DoesNotContain(TestModels.Tiny, local);

        var (_, models) = await Wire.GetAsync(http, "v1/models?output_type=embeddings");
        var ids = models!["data"]!.AsArray().Select(m => (string?)m!["id"]).ToList();
        Assert.Contains("onnx/" + TestModels.Embed, ids);
        Assert.DoesNotContain("onnx/" + TestModels.Tiny, ids);
    }

    [Fact]
    public async Task A_capability_default_can_name_a_local_embedding_model()
    {
        using var http = Gateway.Http();
        var put = await http.PutAsync("v1/config/capability-defaults/embedding/text", Wire.Json("""{"provider":"onnx","model":"tiny-embed"}"""));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        try
        {
            var (response, body) = await Wire.PostAsync(http, "v1/embeddings", """{"input":"hello world"}""");

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("onnx/tiny-embed", (string?)body!["model"]);
            EmbeddingsTests.AssertVector(HelloWorld, body["data"]![0]!["embedding"]);
        }
        finally
        {
            await http.DeleteAsync("v1/config/capability-defaults/embedding/text");
        }
    }
}

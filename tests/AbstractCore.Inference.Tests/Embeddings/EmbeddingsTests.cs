using System.Net;
using System.Text.Json.Nodes;
using AbstractCore.Inference.Tests.Infrastructure;
using AbstractCore.TinyModels;

namespace AbstractCore.Inference.Tests.Embeddings;

/// <summary><c>POST /v1/embeddings</c> on Inference: the generated encoders' exact vectors (computed again by
/// <see cref="EncoderReference"/>), tokenization, batching, limits and refusals.</summary>
public sealed class EmbeddingsTests(InferenceFixture fixture) : IClassFixture<InferenceFixture>
{
    private const double Tolerance = 1e-5;
    private static readonly EncoderSpec Tiny = TestModels.Encoders[TestModels.Embed];

    private HttpClient Http => fixture.Host.Http;

    internal static int[] Ids(params string[] tokens) => [.. tokens.Select(EncoderVocabulary.Id)];

    internal static void AssertVector(float[] expected, JsonNode? actual)
    {
        var values = actual!.AsArray().Select(v => (float)v!).ToArray();
        AssertVector(expected, values);
    }

    internal static void AssertVector(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var d = 0; d < expected.Length; d++)
        {
            Assert.True(Math.Abs(expected[d] - actual[d]) <= Tolerance, $"dimension {d}: expected {expected[d]}, got {actual[d]}");
        }
    }

    [Fact]
    public async Task A_string_gets_the_exact_vector_and_its_token_count()
    {
        var (response, body) = await Wire.PostAsync(Http, "v1/embeddings", """{"model":"tiny-embed","input":"Hello world!"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("list", (string?)body!["object"]);
        Assert.Equal("tiny-embed", (string?)body["model"]);
        var item = Assert.Single(body["data"]!.AsArray())!;
        Assert.Equal("embedding", (string?)item["object"]);
        Assert.Equal(0, (int)item["index"]!);
        var expected = EncoderReference.Embed(Tiny, Ids("[CLS]", "hello", "world", "!", "[SEP]"));
        AssertVector(expected, item["embedding"]);
        Assert.Equal(1.0, expected.Sum(v => (double)v * v), 5); // the folder's modules.json normalises
        Assert.Equal(5, (int)body["usage"]!["prompt_tokens"]!);
        Assert.Equal(5, (int)body["usage"]!["total_tokens"]!);
    }

    [Fact]
    public async Task Words_outside_the_vocabulary_split_into_word_pieces()
    {
        var (_, body) = await Wire.PostAsync(Http, "v1/embeddings", """{"model":"onnx/tiny-embed","input":"embedding foxes"}""");

        var expected = EncoderReference.Embed(Tiny, Ids("[CLS]", "embed", "##ding", "fox", "##e", "##s", "[SEP]"));
        AssertVector(expected, body!["data"]![0]!["embedding"]);
        Assert.Equal(7, (int)body["usage"]!["prompt_tokens"]!);
    }

    [Fact]
    public async Task A_list_is_embedded_in_order_each_as_if_alone()
    {
        // Different lengths in one batch: padding must change no vector (the mask reaches attention and pooling).
        var (response, body) = await Wire.PostAsync(Http, "v1/embeddings",
            """{"model":"tiny-embed","input":["the quick brown fox jumps over the lazy dog","dog","hello world"]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var data = body!["data"]!.AsArray();
        Assert.Equal([0, 1, 2], data.Select(d => (int)d!["index"]!));
        AssertVector(EncoderReference.Embed(Tiny, Ids("[CLS]", "the", "quick", "brown", "fox", "jumps", "over", "the", "lazy", "dog", "[SEP]")), data[0]!["embedding"]);
        AssertVector(EncoderReference.Embed(Tiny, Ids("[CLS]", "dog", "[SEP]")), data[1]!["embedding"]);
        AssertVector(EncoderReference.Embed(Tiny, Ids("[CLS]", "hello", "world", "[SEP]")), data[2]!["embedding"]);
        Assert.Equal(11 + 3 + 4, (int)body["usage"]!["prompt_tokens"]!);
    }

    [Fact]
    public async Task More_inputs_than_a_batch_keep_their_order()
    {
        var words = Enumerable.Range(0, EmbeddingModelBatch + 5).Select(i => new string('a', 1 + (i % 7))).ToArray();
        var (_, body) = await Wire.PostAsync(Http, "v1/embeddings",
            new JsonObject { ["model"] = "tiny-embed", ["input"] = new JsonArray([.. words.Select(w => (JsonNode)w)]) }.ToJsonString());

        var data = body!["data"]!.AsArray();
        Assert.Equal(words.Length, data.Count);
        for (var i = 0; i < words.Length; i++)
        {
            var pieces = words[i].Select((_, j) => j == 0 ? "a" : "##a").ToArray();
            AssertVector(EncoderReference.Embed(Tiny, Ids(["[CLS]", .. pieces, "[SEP]"])), data[i]!["embedding"]);
        }
    }

    private const int EmbeddingModelBatch = 32;

    [Fact]
    public async Task Base64_is_the_float32_vector_little_endian()
    {
        var (_, body) = await Wire.PostAsync(Http, "v1/embeddings", """{"model":"tiny-embed","input":"hello","encoding_format":"base64"}""");

        var bytes = Convert.FromBase64String((string)body!["data"]![0]!["embedding"]!);
        var floats = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, floats, 0, bytes.Length);
        AssertVector(EncoderReference.Embed(Tiny, Ids("[CLS]", "hello", "[SEP]")), floats);
    }

    [Fact]
    public async Task An_input_longer_than_the_model_is_refused_naming_the_limit_or_cut_when_asked()
    {
        var text = string.Join(' ', Enumerable.Repeat("dog", 20)); // 22 tokens with [CLS] and [SEP]; the model takes 16
        var (refused, error) = await Wire.PostAsync(Http, "v1/embeddings", $$"""{"model":"tiny-embed","input":["hello","{{text}}"]}""");

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var message = (string)error!["error"]!["message"]!;
        Assert.Contains("index 1 is 22 tokens", message, StringComparison.Ordinal);
        Assert.Contains("at most 16", message, StringComparison.Ordinal);
        Assert.Equal("context_length_exceeded", (string?)error["error"]!["code"]);

        var (cut, body) = await Wire.PostAsync(Http, "v1/embeddings", $$"""{"model":"tiny-embed","input":"{{text}}","truncate":true}""");
        Assert.Equal(HttpStatusCode.OK, cut.StatusCode);
        AssertVector(EncoderReference.Embed(Tiny, Ids(["[CLS]", .. Enumerable.Repeat("dog", 14), "[SEP]"])), body!["data"]![0]!["embedding"]);
        Assert.Equal(16, (int)body["usage"]!["prompt_tokens"]!);
    }

    [Theory]
    [InlineData("""{"model":"tiny-embed","input":""}""", "must not be empty")]
    [InlineData("""{"model":"tiny-embed","input":[]}""", "must not be empty")]
    [InlineData("""{"model":"tiny-embed","input":["ok","  "]}""", "index 1 must not be empty")]
    [InlineData("""{"model":"tiny-embed","input":[[1,2,3]]}""", "index 0 must be a string")]
    [InlineData("""{"model":"tiny-embed"}""", "'input' is required")]
    [InlineData("""{"model":"tiny-embed","input":"x","encoding_format":"int8"}""", "'encoding_format'")]
    [InlineData("""{"model":"tiny-embed","input":"x","dimensions":-1}""", "'dimensions'")]
    [InlineData("""{"model":"tiny-embed","input":"x","dimensions":8}""", "not trained for shorter vectors")]
    [InlineData("""{"model":"tiny-embed","input":"x","dimensions":64}""", "gives 32")]
    [InlineData("""{"model":"tiny","input":"x"}""", "is a chat model")]
    public async Task Bad_requests_are_400_with_a_message(string json, string expected)
    {
        var (response, body) = await Wire.PostAsync(Http, "v1/embeddings", json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, (string)body!["error"]!["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_model_is_404()
    {
        var (response, body) = await Wire.PostAsync(Http, "v1/embeddings", """{"model":"no-such-encoder","input":"x"}""");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("model_not_found", (string?)body!["error"]!["code"]);
    }

    [Fact]
    public async Task A_vocab_txt_folder_without_normalisation_gives_the_raw_mean()
    {
        var spec = TestModels.Encoders[TestModels.EmbedVocab];
        var (_, body) = await Wire.PostAsync(Http, "v1/embeddings", """{"model":"tiny-embed-vocab","input":["Hello, world.","dog"],"dimensions":32}""");

        AssertVector(EncoderReference.Embed(spec, Ids("[CLS]", "hello", ",", "world", ".", "[SEP]")), body!["data"]![0]!["embedding"]);
        AssertVector(EncoderReference.Embed(spec, Ids("[CLS]", "dog", "[SEP]")), body["data"]![1]!["embedding"]);
    }

    [Fact]
    public async Task A_byte_level_bpe_folder_tokenizes_bytes_and_cuts_dimensions_when_allowed()
    {
        var spec = TestModels.Encoders[TestModels.EmbedBpe];
        var (_, full) = await Wire.PostAsync(Http, "v1/embeddings", """{"model":"tiny-embed-bpe","input":"héllo"}""");
        var (_, cut) = await Wire.PostAsync(Http, "v1/embeddings", """{"model":"tiny-embed-bpe","input":"héllo","dimensions":8}""");

        int[] bytes = [.. "héllo"u8.ToArray().Select(b => (int)b)]; // no post-processor: no special tokens
        var expected = EncoderReference.Embed(spec, bytes);
        AssertVector(expected, full!["data"]![0]!["embedding"]);
        Assert.Equal(6, (int)full["usage"]!["prompt_tokens"]!);
        AssertVector(EncoderReference.Cut(expected, 8), cut!["data"]![0]!["embedding"]);
    }

    [Fact]
    public async Task Embedding_models_are_listed_with_their_type_and_maximum_input()
    {
        var (_, body) = await Wire.GetAsync(Http, "v1/models");

        var data = body!["data"]!.AsArray();
        var embed = data.Single(m => (string?)m!["id"] == TestModels.Embed)!;
        Assert.Equal("embeddings", (string?)embed["type"]);
        Assert.Equal(16, (int)embed["context_length"]!);
        Assert.Equal("llm", (string?)data.Single(m => (string?)m!["id"] == TestModels.Tiny)!["type"]);
    }
}

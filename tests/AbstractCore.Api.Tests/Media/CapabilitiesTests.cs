namespace AbstractCore.Api.Tests.Media;

public sealed class CapabilitiesTests(MediaFixture fx) : IClassFixture<MediaFixture>
{
    [Fact]
    public async Task The_listing_names_what_configuration_makes_available()
    {
        using var http = fx.Http();
        var (response, body) = await Json.GetAsync(http, "/v1/capabilities");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("capabilities", (string?)body!["operation"]);
        foreach (var name in (string[])["embedding", "voice", "music", "vision"])
        {
            Assert.True((bool)body["status"]![name]!, name);
        }

        var music = body["backends"]!.AsArray().Single(b => (string?)b!["capability"] == "music")!;
        Assert.Contains("acemusic", music["providers"]!.AsArray().Select(p => (string?)p));
        var embedding = body["backends"]!.AsArray().Single(b => (string?)b!["capability"] == "embedding")!;
        Assert.Contains("ollama", embedding["providers"]!.AsArray().Select(p => (string?)p));
    }

    [Theory]
    [InlineData("/v1/capabilities/voice/providers?task=tts", "capability_providers")]
    [InlineData("/v1/capabilities/embedding/models", "capability_models")]
    [InlineData("/v1/audio/speech/models", "speech_models")]
    [InlineData("/v1/audio/speech/providers", "speech_providers")]
    [InlineData("/v1/audio/transcriptions/models", "transcription_models")]
    [InlineData("/v1/audio/transcriptions/providers", "transcription_providers")]
    [InlineData("/v1/voice/clone/providers", "voice_clone_providers")]
    [InlineData("/v1/audio/music/providers", "music_providers")]
    [InlineData("/v1/audio/music/models", "music_models")]
    [InlineData("/v1/vision/providers/", "vision_providers")]
    [InlineData("/v1/vision/models", "vision_models")]
    [InlineData("/v1/embeddings/providers", "embedding_providers")]
    [InlineData("/v1/audio/voices?api_key=ignored", "voices")]
    public async Task Every_catalog_answers_in_the_originals_shape(string path, string operation)
    {
        using var http = fx.Http();
        var (response, body) = await Json.GetAsync(http, path);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(operation, (string?)body!["operation"]);
        Assert.True((bool)body["available"]!);
        Assert.NotEmpty(body["providers"]!.AsArray());
        Assert.NotNull(body["models_by_provider"]);
        Assert.NotNull(body["provider_models"]);
        if (operation == "voices")
        {
            Assert.Contains("coral", body["voices"]!.AsArray().Select(v => (string?)v));
        }
    }

    [Fact]
    public async Task Catalog_models_include_the_ones_capability_defaults_name()
    {
        using var http = fx.Http();
        await Json.SendAsync(http, HttpMethod.Put, "/v1/config/capability-defaults/output/audio/tts",
            """{"provider":"openai-compatible","model":"kokoro"}""");

        var (_, body) = await Json.GetAsync(http, "/v1/audio/speech/models");

        Assert.Contains("openai-compatible/kokoro", body!["models"]!.AsArray().Select(m => (string?)m));
        Assert.Contains("kokoro", body["models_by_provider"]!["openai-compatible"]!.AsArray().Select(m => (string?)m));
        await Json.SendAsync(http, HttpMethod.Delete, "/v1/config/capability-defaults/output/audio/tts");
    }

    [Theory]
    [InlineData("/v1/capabilities/teleport/providers", 404, "Unknown capability 'teleport'")]
    [InlineData("/v1/capabilities/voice/models?task=dance", 400, "Unknown task 'dance' for capability 'voice'")]
    [InlineData("/v1/capabilities/voice/models?provider=anthropic", 404, "Provider 'anthropic' cannot serve capability 'voice'")]
    [InlineData("/v1/audio/voices?base_url=not-a-url", 400, "absolute http(s) URL")]
    [InlineData("/v1/audio/speech/models?base_url=http://example.com/v1", 403, "ABSTRACTCORE_SERVER_BASE_URL_ALLOWLIST")]
    public async Task Bad_catalog_queries_are_refused(string path, int status, string message)
    {
        using var http = fx.Http();
        Json.AssertError(await Json.GetAsync(http, path), status, message);
    }
}

/// <summary>With nothing configured, every media surface answers 501 with what to set, never a 500.</summary>
public sealed class CapabilitiesWithoutBackendTests(BareGatewayFixture fx) : IClassFixture<BareGatewayFixture>
{
    [Theory]
    [InlineData("/v1/audio/speech", """{"input":"Hi"}""", "PUT /v1/config/capability-defaults/output/audio/tts")]
    [InlineData("/v1/embeddings", """{"input":"Hi"}""", "Embeddings has no backend configured")]
    [InlineData("/v1/embeddings", """{"input":"Hi","model":"openai-compatible/e5"}""", "set OPENAI_COMPATIBLE_BASE_URL or OPENAI_BASE_URL")]
    [InlineData("/v1/audio/speech", """{"input":"Hi","model":"openai-compatible/tts"}""", "Provider 'openai-compatible' is not configured")]
    [InlineData("/v1/audio/music", """{"prompt":"Hi"}""", "Music generation has no backend configured")]
    [InlineData("/v1/audio/music", """{"prompt":"Hi","provider":"acemusic"}""", "set ACEMUSIC_BASE_URL (and ACEMUSIC_API_KEY)")]
    public async Task Media_routes_say_what_to_configure(string path, string json, string message)
    {
        using var http = fx.Http();
        Json.AssertError(await Json.PostAsync(http, path, json), 501, message);
    }

    [Fact]
    public async Task Uploads_and_catalogs_say_what_to_configure()
    {
        using var http = fx.Http();
        using (var form = Json.Form([1, 2, 3]))
        {
            Json.AssertError(await Json.PostFormAsync(http, "/v1/audio/transcriptions", form), 501, "Transcription has no backend configured");
        }

        using (var form = Json.Form([1, 2, 3]))
        {
            Json.AssertError(await Json.PostFormAsync(http, "/v1/voice/clone", form), 501, "Voice cloning has no backend configured");
        }

        Json.AssertError(await Json.GetAsync(http, "/v1/audio/music/providers"), 501, "set ACEMUSIC_BASE_URL");
        Json.AssertError(await Json.GetAsync(http, "/v1/capabilities/voice/models?task=tts"), 501, "No provider is configured for capability 'voice' (task tts)");
        var (response, body) = await Json.GetAsync(http, "/v1/capabilities");
        Assert.Equal(200, (int)response.StatusCode);
        Assert.False((bool)body!["status"]!["music"]!);
    }
}

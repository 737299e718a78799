using AbstractCore.Api.Hosting;
using AbstractCore.OpenAI.Errors;

namespace AbstractCore.Api.Audio;

/// <summary>The audio routes, each also under <c>/{provider}/v1/…</c> where the path names the provider.</summary>
internal static class AudioEndpoints
{
    public const string TranslationsMessage =
        "audio/translations is not supported by AbstractCore Server (v1). Use /v1/audio/transcriptions instead.";

    private static readonly RequestExample SpeechExample = new(typeof(SpeechBody), """
        {"model": "openai/gpt-4o-mini-tts", "input": "Hello from AbstractCore.", "voice": "coral", "response_format": "wav"}
        """);

    private static readonly RequestExample MusicExample = new(typeof(MusicBody), """
        {"model": "acemusic/ace-step-api", "prompt": "A short calm piano loop.", "duration_s": 8, "format": "mp3"}
        """);

    private static readonly RequestExample TranscriptionExample = new(typeof(TranscriptionForm), """
        {"file": "speech.wav", "model": "openai/gpt-4o-mini-transcribe", "language": "en", "response_format": "json"}
        """, "multipart/form-data");

    private static readonly RequestExample VoiceCloneExample = new(typeof(VoiceCloneForm), """
        {"file": "reference.wav", "model": "openai-compatible/default", "name": "my_voice", "reference_text": "Hello from my reference recording."}
        """, "multipart/form-data");

    public static void MapAudio(this OpenAIApi api)
    {
        MapHandler<SpeechHandler>(api, "/audio/speech", SpeechExample, "audio/mpeg", "Text to speech, streamed as audio bytes");
        MapHandler<TranscriptionHandler>(api, "/audio/transcriptions", TranscriptionExample, "application/json", "Speech to text from a multipart upload");
        MapHandler<VoiceCloneHandler>(api, "/voice/clone", VoiceCloneExample, "application/json", "Create a custom voice from a reference recording");
        MapHandler<MusicHandler>(api, "/audio/music", MusicExample, "audio/wav", "Text to music, streamed as audio bytes");

        api.V1.MapPost("/audio/translations", () =>
                Results.Json(ErrorEnvelope.Create(TranslationsMessage, "not_implemented", null, "not_implemented"),
                    AbstractCore.OpenAI.Json.OpenAIJsonContext.Wire.ErrorEnvelope, statusCode: 501))
            .WithTags("Audio").WithSummary("Reserved for compatibility: always 501");
    }

    /// <summary>A POST route under both prefixes whose handler is a service taken from the request.</summary>
    private static void MapHandler<THandler>(OpenAIApi api, string path, RequestExample example, string contentType, string summary)
        where THandler : IAudioHandler =>
        api.MapBoth(g => g.MapPost(path, (HttpContext c, THandler h) => h.HandleAsync(c, PathProvider(c)))
                .WithTags("Audio").WithMetadata(example).Produces(200, contentType: contentType),
            summary);

    /// <summary>The audio handlers take provider names lower-cased.</summary>
    private static string? PathProvider(HttpContext context) => OpenAIApi.PathProvider(context)?.ToLowerInvariant();
}

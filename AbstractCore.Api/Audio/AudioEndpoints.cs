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
        api.MapBoth(g => g.MapPost("/audio/speech", (HttpContext c, SpeechHandler h) => h.HandleAsync(c, PathProvider(c)))
                .WithTags("Audio").WithMetadata(SpeechExample).Produces(200, contentType: "audio/mpeg"),
            "Text to speech, streamed as audio bytes");
        api.MapBoth(g => g.MapPost("/audio/transcriptions", (HttpContext c, TranscriptionHandler h) => h.HandleAsync(c, PathProvider(c)))
                .WithTags("Audio").WithMetadata(TranscriptionExample).Produces(200, contentType: "application/json"),
            "Speech to text from a multipart upload");
        api.MapBoth(g => g.MapPost("/voice/clone", (HttpContext c, VoiceCloneHandler h) => h.HandleAsync(c, PathProvider(c)))
                .WithTags("Audio").WithMetadata(VoiceCloneExample).Produces(200, contentType: "application/json"),
            "Create a custom voice from a reference recording");
        api.MapBoth(g => g.MapPost("/audio/music", (HttpContext c, MusicHandler h) => h.HandleAsync(c, PathProvider(c)))
                .WithTags("Audio").WithMetadata(MusicExample).Produces(200, contentType: "audio/wav"),
            "Text to music, streamed as audio bytes");

        api.V1.MapPost("/audio/translations", () =>
                Results.Json(ErrorEnvelope.Create(TranslationsMessage, "not_implemented", null, "not_implemented"),
                    AbstractCore.OpenAI.Json.OpenAIJsonContext.Wire.ErrorEnvelope, statusCode: 501))
            .WithTags("Audio").WithSummary("Reserved for compatibility: always 501");
    }

    /// <summary>The audio handlers take provider names lower-cased.</summary>
    private static string? PathProvider(HttpContext context) => OpenAIApi.PathProvider(context)?.ToLowerInvariant();
}

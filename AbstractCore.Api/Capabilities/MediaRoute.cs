namespace AbstractCore.Api.Capabilities;

/// <summary>
/// One media surface and the capability-default route that serves it when a request names no model:
/// for example speech is <c>output.audio.tts</c>, falling back to <c>output.audio</c>.
/// </summary>
/// <param name="Name">What the route does, in messages ("Speech", "Transcription"…).</param>
/// <param name="ExampleModel">A model reference shown in messages.</param>
/// <param name="Family">Which of the original's plugin families served it: what a request naming nothing falls back
/// to, and how a local plugin is refused.</param>
internal sealed record MediaRoute(string Name, string Kind, string Modality, string? Task, string ExampleModel, MediaFamily Family = MediaFamily.Audio)
{
    public static readonly MediaRoute Embeddings = new("Embeddings", "embedding", "text", null, "openai/text-embedding-3-small");
    public static readonly MediaRoute Speech = new("Speech", "output", "audio", "tts", "openai/gpt-4o-mini-tts");
    public static readonly MediaRoute Transcription = new("Transcription", "input", "audio", "stt", "openai/gpt-4o-mini-transcribe");
    public static readonly MediaRoute VoiceClone = new("Voice cloning", "output", "audio", "voice_clone", "openai-compatible/default");
    public static readonly MediaRoute Music = new("Music generation", "output", "audio", "music", "acemusic/ace-step-api", MediaFamily.Music);
    public static readonly MediaRoute Images = new("Image generation", "output", "image", null, "openai/gpt-image-1", MediaFamily.Vision);
    public static readonly MediaRoute Videos = new("Video generation", "output", "video", null, "openai/sora-2", MediaFamily.Vision);

    /// <summary>The path that sets this route's default.</summary>
    public string DefaultPath => $"/v1/config/capability-defaults/{Kind}/{Modality}" + (Task is null ? "" : "/" + Task);

    /// <summary>The URL segment of a vision route, in messages: <c>images</c>, <c>videos</c>.</summary>
    public string Surface => Modality + "s";
}

internal enum MediaFamily
{
    /// <summary>Audio and embeddings: a request must name its provider (or have a capability default).</summary>
    Audio,

    /// <summary>Audio rules, with the original's music engines refused by their own message.</summary>
    Music,

    /// <summary>Images and videos: with nothing named, the server's vision default or its OpenAI-compatible endpoint.</summary>
    Vision,
}

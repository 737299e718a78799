namespace AbstractCore.Api.Capabilities;

/// <summary>
/// One media surface and the capability-default route that serves it when a request names no model:
/// for example speech is <c>output.audio.tts</c>, falling back to <c>output.audio</c>.
/// </summary>
/// <param name="Name">What the route does, in messages ("Speech", "Transcription"…).</param>
/// <param name="ExampleModel">A model reference shown in messages.</param>
public sealed record MediaRoute(string Name, string Kind, string Modality, string? Task, string ExampleModel)
{
    public static readonly MediaRoute Embeddings = new("Embeddings", "embedding", "text", null, "openai/text-embedding-3-small");
    public static readonly MediaRoute Speech = new("Speech", "output", "audio", "tts", "openai/gpt-4o-mini-tts");
    public static readonly MediaRoute Transcription = new("Transcription", "input", "audio", "stt", "openai/gpt-4o-mini-transcribe");
    public static readonly MediaRoute VoiceClone = new("Voice cloning", "output", "audio", "voice_clone", "openai-compatible/default");
    public static readonly MediaRoute Music = new("Music generation", "output", "audio", "music", "acemusic/ace-step-api");

    /// <summary>The path that sets this route's default.</summary>
    public string DefaultPath => $"/v1/config/capability-defaults/{Kind}/{Modality}" + (Task is null ? "" : "/" + Task);
}

namespace AbstractCore.Media;

/// <summary>The kinds of media work, named after their synchronous route (<c>/v1/{kind}</c>).</summary>
public static class MediaKinds
{
    public const string ImageGenerations = "images/generations";
    public const string ImageEdits = "images/edits";
    public const string VideoGenerations = "videos/generations";
    public const string VideoEdits = "videos/edits";
    public const string Music = "audio/music";

    /// <summary>The pseudo provider of music calls: the configured music endpoint.</summary>
    public const string MusicProvider = "music";

    public static readonly IReadOnlyList<string> All = [ImageGenerations, ImageEdits, VideoGenerations, VideoEdits, Music];
}

namespace AbstractCore.Api.Media;

/// <summary>The fields of a media request that choose where it goes, as the request gave them.</summary>
internal readonly record struct MediaHead(string? Model, string? Provider, string? BaseUrl)
{
    /// <summary>Reads the head's fields (<c>model</c>, <c>provider</c>, <c>base_url</c>) from a body or a form.</summary>
    public static MediaHead Read(Func<string, string?> field) => new(field("model"), field("provider"), field("base_url"));
}

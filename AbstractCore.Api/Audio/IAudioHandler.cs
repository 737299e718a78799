namespace AbstractCore.Api.Audio;

/// <summary>What an audio route calls; the provider named in the path comes lower-cased, or null under <c>/v1</c>.</summary>
internal interface IAudioHandler
{
    Task HandleAsync(HttpContext context, string? pathProvider);
}

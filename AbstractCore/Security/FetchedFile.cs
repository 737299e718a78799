namespace AbstractCore.Security;

/// <summary>A downloaded file: its bytes, the server's <c>Content-Type</c> (if any) and a name taken from the URL path.</summary>
public sealed record FetchedFile(byte[] Content, string? ContentType, string FileName);

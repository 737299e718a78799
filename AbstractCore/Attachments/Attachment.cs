namespace AbstractCore.Attachments;

/// <summary>
/// One file a client attached, read: images keep their bytes for vision-capable providers, documents carry
/// the text to inline into the user turn.
/// </summary>
internal sealed record Attachment(string Name, FileKind Kind, ReadOnlyMemory<byte> Content, string? Text)
{
    /// <summary>The MIME type of what the bytes are, whatever the client declared.</summary>
    public string MimeType => Kind.MimeType();

    public bool IsImage => Kind.IsImage();

    /// <summary>The "--- Content from NAME ---" block for a document; null for an image.</summary>
    public string? Block => Text is null ? null : AttachmentText.Block(Name, Text);
}

namespace AbstractCore.Attachments;

/// <summary>The one call for a materialised attachment: detect from the bytes, then extract or keep as an image.</summary>
internal static class AttachmentReader
{
    /// <summary>
    /// Reads one attachment. Throws a 400 <see cref="GatewayException"/> naming <paramref name="name"/> when the
    /// type is not allowed or the file cannot be read.
    /// </summary>
    /// <param name="content">The file's bytes (size limits are the caller's: they must hold before buffering).</param>
    /// <param name="name">The client's file name, used in messages, in the text block and to choose among text kinds.</param>
    /// <param name="declaredMime">The MIME type the client declared (a data: URL's), a hint like the name.</param>
    public static Attachment Read(ReadOnlyMemory<byte> content, string name, string? declaredMime = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        var kind = FileKindDetector.Detect(content, name, declaredMime);
        if (kind == FileKind.Unsupported)
        {
            // A file that claims an allowed type but is not one is broken, not forbidden: say what it should be.
            var claimed = FileKinds.Claimed(name, declaredMime);
            if (content.Length == 0)
            {
                throw AttachmentErrors.Unreadable(name, "the file is empty");
            }

            throw claimed != FileKind.Unsupported
                ? AttachmentErrors.Unreadable(name, $"the content is not a valid {claimed.Label()}")
                : AttachmentErrors.NotAllowed(name, FileKinds.ExtensionOf(name));
        }

        var text = kind.IsImage() ? null : DocumentExtractor.Extract(content, kind, name);
        return new Attachment(name, kind, content, text);
    }
}

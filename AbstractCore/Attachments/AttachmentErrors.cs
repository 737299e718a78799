namespace AbstractCore.Attachments;

/// <summary>
/// The 400s an attachment can cause. Every one names the file, so a client sending several knows which to fix;
/// an attachment is never dropped quietly (the original dropped unreadable images and answered 200).
/// </summary>
internal static class AttachmentErrors
{
    public const string MediaError = "media_error";

    public static GatewayException Unreadable(string name, string reason) =>
        new(400, $"Could not read attachment '{name}': {reason}", MediaError);

    /// <summary>§2.7's message, with the extension the client gave (or <c>.bin</c>) and the file's name.</summary>
    public static GatewayException NotAllowed(string name, string? extension) =>
        new(400, $"File type {extension ?? ".bin"} not allowed (attachment '{name}'). Allowed: " +
            ".jpg .jpeg .png .gif .webp .bmp .tiff .pdf .docx .xlsx .pptx .csv .tsv .txt .md .json .xml", MediaError);
}

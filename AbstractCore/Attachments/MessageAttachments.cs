using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AbstractCore.OpenAI.Chat;
using AbstractCore.Security;

namespace AbstractCore.Attachments;

/// <summary>
/// Materialises the files a request attaches and rewrites its messages for the upstream: <c>image_url</c> and
/// <c>file</c> parts (data: URLs, http(s) URLs through the SSRF-safe fetcher, local paths under the media policy)
/// and, when local files are on, <c>@path</c> references in text. Each file is read from its bytes: an image
/// becomes a data: URL image part with its real type, a document becomes a text block appended to the message's
/// text. Messages without attachments are not touched (no allocation on the common path).
/// </summary>
public sealed partial class MessageAttachments(SafeFetcher fetcher, LocalFilePolicy localFiles)
{
    public async Task ResolveAsync(List<ChatMessageDto> messages, CancellationToken cancellationToken)
    {
        var budget = new Budget();
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            if (message.Role is "user" or "system" or "developer" && message.Content is { } content && NeedsWork(content))
            {
                message.Content = await RewriteAsync(content, $"messages[{i}]", budget, cancellationToken);
            }
        }
    }

    /// <summary>Whether message text can hold something <see cref="ResolveAsync"/> would change (local file
    /// references, when local files are allowed); a relay forwards text as is when not.</summary>
    public bool ResolvesText => localFiles.Enabled;

    /// <summary>Whether <see cref="ResolveAsync"/> would change this user, system or developer text.</summary>
    public bool TextNeedsWork(string text) => localFiles.Enabled && FileReference().IsMatch(text);

    private bool NeedsWork(JsonElement content)
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            return TextNeedsWork(content.GetString()!);
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        foreach (var part in content.EnumerateArray())
        {
            switch (Str(part, "type"))
            {
                case "image_url" or "file":
                    return true;
                case "text" when localFiles.Enabled && Str(part, "text") is { } text && FileReference().IsMatch(text):
                    return true;
            }
        }

        return false;
    }

    private async Task<JsonElement> RewriteAsync(JsonElement content, string path, Budget budget, CancellationToken cancellationToken)
    {
        var parts = new List<JsonNode>();
        var blocks = new List<string>();
        void Add(Attachment attachment, string? detail)
        {
            if (attachment.IsImage)
            {
                var image = new JsonObject { ["url"] = $"data:{attachment.MimeType};base64,{Convert.ToBase64String(attachment.Content.Span)}" };
                if (detail is not null)
                {
                    image["detail"] = detail;
                }

                parts.Add(new JsonObject { ["type"] = "image_url", ["image_url"] = image });
            }
            else
            {
                blocks.Add(attachment.Block!);
            }
        }

        async Task<string> TextAsync(string text)
        {
            if (!localFiles.Enabled)
            {
                return text;
            }

            foreach (var reference in FileReference().Matches(text).Select(m => m.Groups[1].Value).ToList())
            {
                Add(await LoadLocalAsync(reference, budget, cancellationToken), null);
            }

            return Whitespace().Replace(FileReference().Replace(text, ""), " ").Trim();
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            parts.Add(new JsonObject { ["type"] = "text", ["text"] = await TextAsync(content.GetString()!) });
        }
        else
        {
            var index = 0;
            foreach (var part in content.EnumerateArray())
            {
                var p = $"{path}.content[{index++}]";
                switch (Str(part, "type"))
                {
                    case "text" when Str(part, "text") is { } text:
                        parts.Add(new JsonObject { ["type"] = "text", ["text"] = await TextAsync(text) });
                        break;
                    case "image_url":
                    {
                        var image = part.TryGetProperty("image_url", out var i) ? i : default;
                        var url = image.ValueKind == JsonValueKind.String ? image.GetString() : Str(image, "url");
                        if (url is null)
                        {
                            throw GatewayException.BadRequest($"{p}.image_url.url must be a string.", $"{p}.image_url.url");
                        }

                        Add(await LoadAsync(url, null, $"{p}.image_url.url", budget, cancellationToken), Str(image, "detail"));
                        break;
                    }

                    case "file" when FileSource(part, out var url, out var name, out var param):
                        Add(await LoadAsync(url, name, $"{p}.{param}", budget, cancellationToken), null);
                        break;
                    default:
                        parts.Add(JsonNode.Parse(part.GetRawText())!); // file_id, input_audio, …: the backends' business
                        break;
                }
            }
        }

        if (blocks.Count > 0)
        {
            // Documents join the message's last text part (the original appended them to the user's text).
            var last = parts.LastOrDefault(n => (string?)n["type"] == "text");
            if (last is null)
            {
                parts.Add(new JsonObject { ["type"] = "text", ["text"] = AttachmentText.Append(null, blocks) });
            }
            else
            {
                last["text"] = AttachmentText.Append((string?)last["text"], blocks);
            }
        }

        return JsonSerializer.SerializeToElement(new JsonArray([.. parts]), AttachmentsJsonContext.Default.JsonArray);
    }

    /// <summary>A <c>file</c> part's source: <c>file.file_data</c> (data: URL), or <c>file_url</c> (a URL or path,
    /// as a string or <c>{url}</c>, on the part or inside <c>file</c>). False for <c>file_id</c> references.</summary>
    private static bool FileSource(JsonElement part, out string url, out string? name, out string param)
    {
        var file = part.TryGetProperty("file", out var f) && f.ValueKind == JsonValueKind.Object ? f : default;
        name = Str(file, "filename");
        foreach (var (holder, key, at) in new[] { (file, "file_data", "file.file_data"), (file, "file_url", "file.file_url"), (part, "file_url", "file_url") })
        {
            if (holder.ValueKind == JsonValueKind.Object && holder.TryGetProperty(key, out var value))
            {
                var text = value.ValueKind == JsonValueKind.String ? value.GetString() : Str(value, "url");
                if (text is not null)
                {
                    (url, param) = (text, at);
                    return true;
                }
            }
        }

        if (Str(file, "file_id") is null)
        {
            throw GatewayException.BadRequest("A file part needs file.file_data, file.file_id or file_url.", "file");
        }

        (url, param) = ("", "");
        return false;
    }

    private async Task<Attachment> LoadAsync(string url, string? name, string param, Budget budget, CancellationToken cancellationToken)
    {
        if (url.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            var (bytes, mime) = DataUrl.Decode(url, param);
            name ??= "attachment" + DataUrl.Extension(mime);
            budget.Add(bytes.Length, name);
            return AttachmentReader.Read(bytes, name, mime);
        }

        if (url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            var fetched = await fetcher.FetchAsync(url, cancellationToken);
            name ??= fetched.FileName;
            budget.Add(fetched.Content.Length, name);
            return AttachmentReader.Read(fetched.Content, name, fetched.ContentType);
        }

        if (OtherScheme().IsMatch(url))
        {
            throw GatewayException.BadRequest($"Only http/https URLs, data: URLs or local paths are allowed, not '{url.Split(':')[0]}:'.", param);
        }

        return await LoadLocalAsync(url, budget, cancellationToken, name);
    }

    private async Task<Attachment> LoadLocalAsync(string path, Budget budget, CancellationToken cancellationToken, string? name = null)
    {
        var (full, bytes) = await localFiles.ReadAsync(
            path, MediaLimits.MaxFileBytes, () => Budget.TooLarge(name ?? Path.GetFileName(path)), cancellationToken);
        name ??= Path.GetFileName(full);
        budget.Add(bytes.Length, name);
        return AttachmentReader.Read(bytes, name);
    }

    private static string? Str(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary><c>@name.ext</c> at the start or after whitespace (so an e-mail address is not a file).</summary>
    [GeneratedRegex(@"(?<!\S)@([^\s@]+\.\w+)")]
    private static partial Regex FileReference();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9+.-]+://")]
    private static partial Regex OtherScheme();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    /// <summary>The request's running total, so one file over 10 MB or all of them over 32 MB is a 413.</summary>
    private sealed class Budget
    {
        private long _total;

        /// <summary>A file found over the per-file limit while it was being read (its size was not known before).</summary>
        public static GatewayException TooLarge(string name) =>
            new(413, $"File too large: {name} is over {MediaLimits.MaxFileBytes} bytes (max 10MB per file).", "file_too_large", "file");

        public void Add(long bytes, string name)
        {
            if (bytes > MediaLimits.MaxFileBytes)
            {
                throw new GatewayException(413, $"File too large: {name} is {bytes} bytes (max 10MB per file).", "file_too_large", "file");
            }

            _total += bytes;
            if (_total > MediaLimits.MaxRequestBytes)
            {
                throw new GatewayException(413, $"Total file size exceeds 32MB limit (at {name}).", "total_size_exceeded", "file");
            }
        }
    }
}

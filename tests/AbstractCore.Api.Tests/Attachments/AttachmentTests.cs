using System.Net;
using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;
using AbstractCore.TestKit.Documents;

namespace AbstractCore.Api.Tests.Attachments;

/// <summary>
/// Attachments through the gateway to the fake upstream: documents built at test time (PdfPig, OpenXml) arrive as
/// text blocks in the user turn, images as data: URLs of their real type; URLs are fetched SSRF-safely, local files
/// only under the media root, and the size limits answer 413.
/// </summary>
public sealed class AttachmentTests : IAsyncLifetime
{
    private readonly string _mediaRoot = Directory.CreateTempSubdirectory("acore-media-").FullName;
    private FakeOpenAIUpstream _upstream = null!;
    private LoopbackFiles _files = null!;

    public async Task InitializeAsync()
    {
        _upstream = await FakeOpenAIUpstream.StartAsync();
        _files = await LoopbackFiles.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _upstream.DisposeAsync();
        await _files.DisposeAsync();
        Directory.Delete(_mediaRoot, recursive: true);
    }

    private GatewayFactory Gateway(params (string Key, string Value)[] settings)
    {
        var all = new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = GatewayFixture.Token,
            ["OPENAI_COMPATIBLE_BASE_URL"] = _upstream.BaseUrl.AbsoluteUri,
        };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        return new GatewayFactory(all);
    }

    private async Task<(HttpStatusCode Status, JsonNode? Body)> ChatAsync(GatewayFactory gateway, JsonArray content)
    {
        using var http = gateway.Http(GatewayFixture.Token);
        var request = new JsonObject
        {
            ["model"] = GatewayFixture.Model,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = content }),
        };
        _upstream.Enqueue(FakeReply.Text("ok"));
        var (response, body) = await Wire.PostAsync(http, "/v1/chat/completions", request.ToJsonString());
        return (response.StatusCode, body);
    }

    private static JsonObject Text(string text) => new() { ["type"] = "text", ["text"] = text };

    private static JsonObject File(byte[] bytes, string name, string mime) => new()
    {
        ["type"] = "file",
        ["file"] = new JsonObject { ["filename"] = name, ["file_data"] = $"data:{mime};base64,{Convert.ToBase64String(bytes)}" },
    };

    private static JsonObject Image(string url) => new() { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = url } };

    /// <summary>The user turn the upstream received: its text and its image URLs.</summary>
    private (string Text, List<string> Images) Received()
    {
        var content = _upstream.LastChatRequest.Json!["messages"]![0]!["content"]!;
        if (content is JsonValue)
        {
            return ((string)content!, []);
        }

        var parts = content.AsArray();
        return (string.Concat(parts.Where(p => (string?)p!["type"] == "text").Select(p => (string?)p!["text"])),
            parts.Where(p => (string?)p!["type"] == "image_url").Select(p => (string)p!["image_url"]!["url"]!).ToList());
    }

    [Fact]
    public async Task Documents_of_every_kind_arrive_as_text_blocks_after_the_user_text()
    {
        await using var gateway = Gateway();
        var (status, _) = await ChatAsync(gateway, new JsonArray(
            Text("Summarise these."),
            File(TestDocuments.Pdf(["Quarterly revenue grew"], ["Page two closes"]), "report.pdf", "application/pdf"),
            File(TestDocuments.Docx(["Meeting notes"], [["Name", "Role"], ["Ada", "Engineer"]]), "notes.docx", "application/octet-stream"),
            File(TestDocuments.Xlsx(("Budget", [["Item", "Cost"], ["Servers", 1200]])), "budget.xlsx", "application/octet-stream"),
            File(TestDocuments.Pptx(["Roadmap title"], ["Second slide"]), "deck.pptx", "application/octet-stream"),
            File(TestDocuments.Text("a,b", "1,2"), "table.csv", "text/csv"),
            File(TestDocuments.Text("""{"answer":42}"""), "data.json", "application/json")));

        Assert.Equal(HttpStatusCode.OK, status);
        var (text, images) = Received();
        Assert.Empty(images);
        Assert.StartsWith("Summarise these.\n\n\n\n--- Content from report.pdf ---", text, StringComparison.Ordinal);
        foreach (var expected in (string[])["Quarterly revenue grew", "Page two closes", "--- End of report.pdf ---",
                     "--- Content from notes.docx ---", "Meeting notes", "Ada | Engineer",
                     "--- Content from budget.xlsx ---", "Servers", "1200",
                     "--- Content from deck.pptx ---", "Roadmap title", "Second slide",
                     "--- Content from table.csv ---", "--- Content from data.json ---", "\"answer\": 42"])
        {
            Assert.Contains(expected, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_image_goes_on_as_a_data_url_of_the_type_its_bytes_say()
    {
        await using var gateway = Gateway();
        var (status, _) = await ChatAsync(gateway, new JsonArray(
            Text("What is this?"), Image("data:image/jpeg;base64," + Convert.ToBase64String(TestDocuments.Png()))));

        Assert.Equal(HttpStatusCode.OK, status);
        var (text, images) = Received();
        Assert.Equal("What is this?", text);
        Assert.Equal("data:image/png;base64," + Convert.ToBase64String(TestDocuments.Png()), Assert.Single(images));
    }

    [Fact]
    public async Task A_file_that_cannot_be_read_is_a_400_naming_it_and_nothing_goes_upstream()
    {
        await using var gateway = Gateway();
        var before = _upstream.Requests.Count;

        var (status, body) = await ChatAsync(gateway, new JsonArray(Text("x"), File(TestDocuments.BrokenDocx(), "broken.docx", "application/octet-stream")));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("broken.docx", (string?)body!["error"]!["message"], StringComparison.Ordinal);
        Assert.Equal(before, _upstream.Requests.Count);
    }

    [Fact]
    public async Task A_url_on_a_private_address_is_refused_unless_the_fetch_allowlist_names_it()
    {
        var url = _files.Serve("sheet.csv", TestDocuments.Text("city,pop", "Paris,2100000"));
        await using (var closed = Gateway())
        {
            var (status, body) = await ChatAsync(closed, new JsonArray(Text("x"), new JsonObject { ["type"] = "file", ["file_url"] = new JsonObject { ["url"] = url } }));
            Assert.Equal(HttpStatusCode.Forbidden, status);
            Assert.Contains("SSRF protection", (string?)body!["error"]!["message"], StringComparison.Ordinal);
            Assert.Equal(0, _files.Hits);
        }

        await using var open = Gateway(("ABSTRACTCORE_SERVER_URL_FETCH_ALLOWLIST", _files.BaseUrl));
        var (okStatus, _) = await ChatAsync(open, new JsonArray(Text("Population?"), new JsonObject { ["type"] = "file", ["file_url"] = new JsonObject { ["url"] = url } }));
        Assert.Equal(HttpStatusCode.OK, okStatus);
        Assert.Contains("Paris,2100000", Received().Text, StringComparison.Ordinal);
        Assert.Equal(1, _files.Hits);
    }

    [Fact]
    public async Task A_responses_input_file_by_url_is_fetched_and_inlined()
    {
        var url = _files.Serve("brief.docx", TestDocuments.Docx(["Launch on Monday"]));
        await using var gateway = Gateway(("ABSTRACTCORE_SERVER_URL_FETCH_ALLOWLIST", _files.BaseUrl));
        using var http = gateway.Http(GatewayFixture.Token);
        _upstream.Enqueue(FakeReply.Text("Monday."));

        var (response, body) = await Wire.PostAsync(http, "/v1/responses", $$"""
            {"model":"{{GatewayFixture.Model}}","input":[{"role":"user","content":[
              {"type":"input_text","text":"When do we launch?"},{"type":"input_file","file_url":"{{url}}"}]}]}
            """);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Monday.", (string?)body!["output"]![0]!["content"]![0]!["text"]);
        var text = Received().Text;
        Assert.StartsWith("When do we launch?\n\n\n\n--- Content from brief.docx ---", text, StringComparison.Ordinal);
        Assert.Contains("Launch on Monday", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("data:image/png;base64,@@@", 400, "Invalid base64 media data")]
    [InlineData("data:image/png;base64", 400, "Invalid base64 media data")]
    [InlineData("ftp://example.com/a.png", 400, "Only http/https URLs, data: URLs or local paths are allowed, not 'ftp:'.")]
    [InlineData("/etc/passwd", 403, "Local file paths are disabled")]
    [InlineData("http://[::1]:1/a.png", 403, "SSRF protection")]
    [InlineData("http://169.254.169.254/latest/meta-data", 403, "SSRF protection")]
    public async Task Bad_attachment_urls_have_a_clear_answer(string url, int status, string message)
    {
        await using var gateway = Gateway();
        var before = _upstream.Requests.Count;

        var (actual, body) = await ChatAsync(gateway, new JsonArray(Text("x"), Image(url)));

        Assert.Equal(status, (int)actual);
        Assert.Contains(message, (string?)body!["error"]!["message"], StringComparison.Ordinal);
        Assert.Equal(before, _upstream.Requests.Count);
    }

    [Fact]
    public async Task Local_paths_are_refused_without_a_media_root_and_confined_to_it_with_one()
    {
        await System.IO.File.WriteAllTextAsync(Path.Combine(_mediaRoot, "notes.md"), "# Plan\nShip it.");
        var outside = Path.GetTempFileName();
        try
        {
            await using (var closed = Gateway())
            {
                var (status, body) = await ChatAsync(closed, new JsonArray(Text("x"), Image(Path.Combine(_mediaRoot, "notes.md"))));
                Assert.Equal(HttpStatusCode.Forbidden, status);
                Assert.StartsWith("Local file paths are disabled", (string?)body!["error"]!["message"], StringComparison.Ordinal);
            }

            await using var rooted = Gateway(("ABSTRACTCORE_SERVER_MEDIA_ROOT", _mediaRoot));
            var (inside, _) = await ChatAsync(rooted, new JsonArray(Text("Read @notes.md please, bob@example.com")));
            Assert.Equal(HttpStatusCode.OK, inside);
            var text = Received().Text;
            Assert.StartsWith("Read please, bob@example.com\n\n\n\n--- Content from notes.md ---", text, StringComparison.Ordinal);
            Assert.Contains("Ship it.", text, StringComparison.Ordinal);

            var (escaped, body2) = await ChatAsync(rooted, new JsonArray(Text("x"), new JsonObject { ["type"] = "file", ["file_url"] = outside }));
            Assert.Equal(HttpStatusCode.Forbidden, escaped);
            Assert.Contains("outside ABSTRACTCORE_SERVER_MEDIA_ROOT", (string?)body2!["error"]!["message"], StringComparison.Ordinal);
        }
        finally
        {
            System.IO.File.Delete(outside);
        }
    }

    [Fact]
    public async Task Over_10_MB_in_one_file_or_32_MB_in_all_is_413()
    {
        await using var gateway = Gateway();
        var big = new byte[10 * 1024 * 1024 + 1];
        var (one, body) = await ChatAsync(gateway, new JsonArray(Text("x"), File(big, "big.txt", "text/plain")));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, one);
        Assert.Contains("max 10MB per file", (string?)body!["error"]!["message"], StringComparison.Ordinal);

        var nine = TestDocuments.Text(new string('a', 9 * 1024 * 1024));
        var (all, body2) = await ChatAsync(gateway, new JsonArray(Text("x"),
            File(nine, "a.txt", "text/plain"), File(nine, "b.txt", "text/plain"), File(nine, "c.txt", "text/plain"), File(nine, "d.txt", "text/plain")));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, all);
        Assert.Contains("Total file size exceeds 32MB limit", (string?)body2!["error"]!["message"], StringComparison.Ordinal);
    }
}

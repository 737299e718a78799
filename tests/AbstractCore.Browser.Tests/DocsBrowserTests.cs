using System.Text.RegularExpressions;
using AbstractCore.Browser.Tests.Infrastructure;
using AbstractCore.TestKit;
using Microsoft.Playwright;

namespace AbstractCore.Browser.Tests;

/// <summary>
/// The docs in a real browser against the gateway on Kestrel, whose <c>openai</c> provider is a fake upstream on
/// loopback: the token gate, a chat request sent from Scalar's "Test Request", ReDoc, /docs-lite and protected docs.
/// Every page must load everything from the gateway itself: the requests it makes are recorded and checked.
/// </summary>
public sealed partial class DocsBrowserTests : IClassFixture<Chromium>, IAsyncLifetime
{
    private const string Token = "browser-server-token";
    private const string Answer = "Hello from the docs browser test.";

    private readonly Chromium _chromium;
    private FakeOpenAIUpstream _upstream = null!;
    private KestrelGateway _gateway = null!;

    public DocsBrowserTests(Chromium chromium) => _chromium = chromium;

    public async Task InitializeAsync()
    {
        _upstream = await FakeOpenAIUpstream.StartAsync();
        _gateway = KestrelGateway.Start(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = Token,
            // The chat example in the docs names openai/gpt-4o-mini: route that provider to the fake.
            ["OPENAI_BASE_URL"] = _upstream.BaseUrl.AbsoluteUri,
            ["OPENAI_API_KEY"] = "upstream-key",
        });
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    private string Url(string path) => _gateway.Origin + path.TrimStart('/');

    [Fact]
    public async Task Docs_reject_a_wrong_token_then_send_a_chat_request_with_the_right_one_and_show_the_answer()
    {
        _upstream.Enqueue(FakeReply.Text(Answer));
        var (page, requests) = await _chromium.NewPageAsync(_gateway.Origin);

        await page.GotoAsync(Url("/docs/"));
        await page.FillAsync("#acore-token", "not-the-token");
        await page.ClickAsync("#acore-token-submit");
        await Assertions.Expect(page.Locator("#acore-token-error")).ToHaveTextAsync("Token rejected: Invalid server Authorization bearer token");
        Assert.Null(await page.EvaluateAsync<string?>("sessionStorage.getItem('abstractcore.serverToken')"));
        await Screenshots.SaveAsync(page, "docs-token-rejected", fullPage: false);

        await page.FillAsync("#acore-token", Token);
        // Accepted: the page reloads, and only then shows the status (Scalar reads its authentication when it starts).
        await page.ClickAsync("#acore-token-submit");
        await Assertions.Expect(page.Locator("#acore-token-status")).ToHaveTextAsync("Authorized with the server token");

        try
        {
            // Through the sidebar, as a user does: Scalar sometimes ignores a hash-only navigation right after its reload.
            await page.GetByRole(AriaRole.Button, new() { Name = "Open Group - Chat" }).First.ClickAsync();
            await page.GetByRole(AriaRole.Link, new() { NameRegex = ChatOperationLink() }).First.ClickAsync();
            var heading = page.GetByRole(AriaRole.Heading, new() { Name = "Create a chat completion (plain or streamed)" }).First;
            await Assertions.Expect(heading).ToBeVisibleAsync();
            await Screenshots.SaveAsync(page, "docs-chat-operation", fullPage: false);
            await page.Locator("button", new() { HasText = "(post /v1/chat/completions)" }).First.ClickAsync();
            await page.Locator("button:visible", new() { HasTextRegex = SendButton() }).First.ClickAsync();
            await Assertions.Expect(page.GetByText(Answer).First).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByText("200 OK").First).ToBeVisibleAsync();
            // The modal over the page: the full page of Scalar would be a long strip with the answer in the middle.
            await Screenshots.SaveAsync(page, "docs-chat-answer", fullPage: false);
        }
        catch
        {
            // What Scalar showed when it failed, kept with the other artifacts.
            await Screenshots.SaveAsync(page, "failed-docs-chat", fullPage: false);
            throw;
        }

        // The browser sent the docs' example with the validated token; the gateway kept that token to itself.
        var sent = _upstream.LastChatRequest;
        Assert.Equal("gpt-4o-mini", (string?)sent.Json!["model"]);
        Assert.Equal("Say hello in three words.", (string?)sent.Json!["messages"]![1]!["content"]);
        Assert.Equal("Bearer upstream-key", sent.Headers["Authorization"]);
        AssertOnlyGatewayRequests(requests);
    }

    [Fact]
    public async Task The_landing_page_leads_to_docs_where_one_token_field_authorizes_and_models_appear_once()
    {
        var (page, requests) = await _chromium.NewPageAsync(_gateway.Origin);

        var landing = await page.GotoAsync(Url("/"));
        Assert.Equal(200, landing!.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "AbstractCore", Exact = true })).ToBeVisibleAsync();
        // The first request is shown against the address the browser used, so it can be pasted as is.
        await Assertions.Expect(page.Locator("pre")).ToContainTextAsync($"curl {_gateway.Origin}v1/chat/completions");
        var icon = await page.Context.APIRequest.GetAsync(Url("/favicon.ico"));
        Assert.Equal(200, icon.Status);
        Assert.Equal("image/x-icon", icon.Headers["content-type"]);
        await Screenshots.SaveAsync(page, "landing");

        await page.GetByRole(AriaRole.Link, new() { Name = "/docs", Exact = true }).ClickAsync();
        await page.FillAsync("#acore-token", Token);
        await page.ClickAsync("#acore-token-submit");
        await Assertions.Expect(page.Locator("#acore-token-status")).ToHaveTextAsync("Authorized with the server token");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Liveness of the gateway" }).First).ToBeVisibleAsync();

        // One token UI: the gate's field, not Scalar's authentication panel beside it (among the rendered intro cards).
        await Assertions.Expect(page.GetByText("Client Libraries").First).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Select Auth Type")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator(".scalar-reference-intro-auth")).ToBeHiddenAsync();
        // One "Models" in the sidebar: the tag; Scalar's schema section of the same name is hidden.
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { NameRegex = ModelsEntry() })).ToHaveCountAsync(1);
        await Screenshots.SaveAsync(page, "docs-token-accepted", fullPage: false);
        AssertOnlyGatewayRequests(requests);
    }

    [Fact]
    public async Task Redoc_renders_the_operations_from_the_servers_own_bundle()
    {
        var (page, requests) = await _chromium.NewPageAsync(_gateway.Origin);

        await page.GotoAsync(Url("/redoc"));
        await page.GetByRole(AriaRole.Link, new() { Name = "Chat", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Create a chat completion (plain or streamed)" }).First).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("\"model\": \"openai/gpt-4o-mini\"").First).ToBeVisibleAsync();
        // ReDoc scrolls the window through a whole tag: the screen shows what it rendered.
        await Screenshots.SaveAsync(page, "redoc", fullPage: false);

        Assert.Contains(requests, r => r.EndsWith("/redoc/redoc.standalone.js", StringComparison.Ordinal));
        AssertOnlyGatewayRequests(requests);
    }

    [Fact]
    public async Task Docs_lite_lists_the_endpoints_and_links_each_to_its_operation_in_docs()
    {
        var (page, requests) = await _chromium.NewPageAsync(_gateway.Origin);

        await page.GotoAsync(Url("/docs-lite"));
        await Assertions.Expect(page.GetByText("lightweight documentation view")).ToBeVisibleAsync();
        var links = page.Locator("a[href^='docs/#tag/']");
        Assert.True(await links.CountAsync() > 50, "docs-lite lists every operation");
        await Screenshots.SaveAsync(page, "docs-lite");

        await page.Locator("a", new() { HasText = "/v1/embeddings" }).First.ClickAsync();
        await page.WaitForURLAsync(Url("/docs/#tag/embeddings/POST/v1/embeddings"));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Create embedding vectors (OpenAI-compatible providers, Ollama, Azure, local ONNX models)" }))
            .ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, "docs-lite-link-to-docs", fullPage: false);
        AssertOnlyGatewayRequests(requests);
    }

    [Fact]
    public async Task With_protect_docs_the_pages_answer_401_without_the_token_and_render_with_it()
    {
        await using var gateway = KestrelGateway.Start(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = Token,
            ["ABSTRACTCORE_SERVER_PROTECT_DOCS"] = "1",
        });
        var (page, requests) = await _chromium.NewPageAsync(gateway.Origin);
        foreach (var path in (string[])["redoc/index.html", "docs-lite", "openapi.json", "docs/"])
        {
            var response = await page.GotoAsync(gateway.Origin + path);
            Assert.Equal(401, response!.Status);
            Assert.Contains("Missing server Authorization bearer token", await response.TextAsync(), StringComparison.Ordinal);
        }

        await Screenshots.SaveAsync(page, "docs-protected-401", fullPage: false);

        var (authorized, authorizedRequests) = await _chromium.NewPageAsync(gateway.Origin, new() { ["Authorization"] = "Bearer " + Token });
        var lite = await authorized.GotoAsync(gateway.Origin + "docs-lite");
        Assert.Equal(200, lite!.Status);
        await Assertions.Expect(authorized.GetByText("lightweight documentation view")).ToBeVisibleAsync();
        var scalar = await authorized.GotoAsync(gateway.Origin + "docs/");
        Assert.Equal(200, scalar!.Status);
        await Assertions.Expect(authorized.GetByRole(AriaRole.Heading, new() { Name = "Liveness of the gateway" }).First).ToBeVisibleAsync();
        await Screenshots.SaveAsync(authorized, "docs-protected-with-token", fullPage: false);

        AssertOnlyRequestsTo(gateway.Origin, requests);
        AssertOnlyRequestsTo(gateway.Origin, authorizedRequests);
    }

    private void AssertOnlyGatewayRequests(List<string> requests) => AssertOnlyRequestsTo(_gateway.Origin, requests);

    /// <summary>No font, script or beacon from anywhere else: the docs work offline.</summary>
    private static void AssertOnlyRequestsTo(Uri origin, List<string> requests)
    {
        lock (requests)
        {
            Assert.NotEmpty(requests);
            Assert.All(requests, url => Assert.True(
                url.StartsWith(origin.AbsoluteUri, StringComparison.Ordinal) || url.StartsWith("data:", StringComparison.Ordinal) ||
                url.StartsWith("blob:", StringComparison.Ordinal),
                $"The page requested {url}, outside {origin}"));
        }
    }

    [GeneratedRegex(@"\bModels$")]
    private static partial Regex ModelsEntry();

    [GeneratedRegex("^Send")]
    private static partial Regex SendButton();

    [GeneratedRegex(@"^Create a chat completion \(plain or streamed\)")]
    private static partial Regex ChatOperationLink();
}

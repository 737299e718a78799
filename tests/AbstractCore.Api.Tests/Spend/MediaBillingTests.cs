using System.Buffers.Binary;
using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Media;

namespace AbstractCore.Api.Tests.Spend;

/// <summary>
/// What the media routes charge into the request's bill: embeddings (reported tokens, else an estimate), images (the
/// count, plus tokens when reported), transcriptions (seconds), speech (characters), and async jobs, booked once to the
/// key that submitted them when they complete. A failed upstream call charges nothing.
/// </summary>
public sealed class MediaBillingTests(BillingFixture fx) : IClassFixture<BillingFixture>
{
    private const string Token = BillingFixture.Token;

    [Fact]
    public async Task Embeddings_charge_the_prompt_tokens_the_upstream_reports()
    {
        var bill = NewBill();
        using var http = fx.Gateway.Http(Token, bill);

        var (response, _) = await Json.PostAsync(http, "/v1/embeddings",
            """{"model":"openai-compatible/fake-embed","input":["one two three","four"]}""");

        Assert.Equal(200, (int)response.StatusCode);
        var line = Assert.Single(fx.Gateway.Lines(bill));
        Assert.Equal(("openai-compatible", "fake-embed"), (line.Provider, line.Model));
        Assert.Equal(4, line.Priced.Usage.InputTokens); // the fake counts words
        Assert.False(line.Priced.Usage.Estimated);
        Assert.True(line.Final);
    }

    [Fact]
    public async Task Embeddings_without_usage_are_charged_an_estimate_of_four_characters_a_token()
    {
        var bill = NewBill();
        using var http = fx.Gateway.Http(Token, bill);
        fx.Media.EmbeddingUsage = false;
        try
        {
            var (response, _) = await Json.PostAsync(http, "/v1/embeddings",
                """{"model":"openai-compatible/fake-embed","input":["abcdefghij","xyz"]}""");

            Assert.Equal(200, (int)response.StatusCode);
        }
        finally
        {
            fx.Media.EmbeddingUsage = true;
        }

        var line = Assert.Single(fx.Gateway.Lines(bill));
        Assert.Equal(4, line.Priced.Usage.InputTokens); // 13 characters
        Assert.True(line.Priced.Usage.Estimated);
    }

    [Theory]
    [InlineData("/v1/images/generations", "vllm/gpt-image-1", 2)]
    [InlineData("/vllm/v1/images/generations", "gpt-image-1", 3)]
    public async Task An_image_generation_charges_the_images_returned_and_the_tokens_reported(string path, string model, int n)
    {
        var bill = NewBill();
        using var http = fx.Gateway.Http(Token, bill);
        fx.Vision.ImageUsage = new JsonObject { ["input_tokens"] = 50, ["output_tokens"] = 200, ["total_tokens"] = 250 };
        try
        {
            var (response, body) = await Json.PostAsync(http, path, $$"""{"model":"{{model}}","prompt":"a red mug","n":{{n}}}""");

            Assert.Equal(200, (int)response.StatusCode);
            Assert.Equal(n, body!["data"]!.AsArray().Count);
        }
        finally
        {
            fx.Vision.ImageUsage = null;
        }

        var line = Assert.Single(fx.Gateway.Lines(bill));
        Assert.Equal(("vllm", "gpt-image-1"), (line.Provider, line.Model));
        Assert.Equal(n, line.Priced.Usage.Images);
        Assert.Equal((50, 200), (line.Priced.Usage.InputTokens, line.Priced.Usage.OutputTokens));
    }

    [Fact]
    public async Task A_failed_upstream_call_charges_nothing()
    {
        var bill = NewBill();
        using var http = fx.Gateway.Http(Token, bill);
        fx.Vision.FailNext(1);

        var (response, _) = await Json.PostAsync(http, "/v1/images/generations", """{"model":"vllm/gpt-image-1","prompt":"a red mug"}""");

        Assert.Equal(502, (int)response.StatusCode);
        Assert.Empty(fx.Gateway.Lines(bill));
    }

    [Theory]
    [InlineData("verbose_json", true, 1.5, false)] // the answer's duration
    [InlineData("json", true, 2.0, false)] // whisper's usage: {"type":"duration","seconds":2}
    [InlineData("text", true, 1.25, false)] // the upload's WAV header
    [InlineData("text", false, 0.5, true)] // 8 000 bytes of something else, at 128 kbit/s
    public async Task A_transcription_charges_its_seconds(string format, bool wav, double seconds, bool estimated)
    {
        var bill = NewBill();
        using var http = fx.Gateway.Http(Token, bill);
        using var form = Json.Form(wav ? Wav(sampleRate: 16_000, seconds: 1.25) : new byte[8_000],
            ("model", "openai-compatible/whisper-1"), ("response_format", format));

        using var response = await http.PostAsync("/v1/audio/transcriptions", form);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Contains(fx.Media.Transcript, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var line = Assert.Single(fx.Gateway.Lines(bill));
        Assert.Equal(("openai-compatible", "whisper-1"), (line.Provider, line.Model));
        Assert.Equal(seconds, line.Priced.Usage.AudioSeconds, precision: 6);
        Assert.Equal(estimated, line.Priced.Usage.Estimated);
    }

    [Theory]
    [InlineData("/v1/audio/speech", "openai-compatible/tts-1")]
    [InlineData("/openai-compatible/v1/audio/speech", "tts-1")]
    public async Task Speech_charges_the_characters_of_its_input(string path, string model)
    {
        var bill = NewBill();
        using var http = fx.Gateway.Http(Token, bill);

        using var response = await http.PostAsync(path, new StringContent(
            $$"""{"model":"{{model}}","input":"Héllo, wörld 👋","voice":"coral"}""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(fx.Media.AudioBytes, (await response.Content.ReadAsByteArrayAsync()).Length);
        var line = Assert.Single(fx.Gateway.Lines(bill));
        Assert.Equal(("openai-compatible", "tts-1"), (line.Provider, line.Model));
        Assert.Equal(14, line.Priced.Usage.Characters); // the emoji is one character
    }

    [Fact]
    public Task A_job_is_charged_once_when_it_completes_to_the_key_that_submitted_it() => JobIsChargedOnceAsync(fx);

    [Fact]
    public Task A_job_consumed_on_its_first_successful_poll_is_charged_and_a_failed_job_is_not() => ConsumedAndFailedJobsAsync(fx);

    /// <summary>Polled many times, by another key too, and consumed: one charge, to the submitting key, with what it made.</summary>
    internal static async Task JobIsChargedOnceAsync(BillingFixture fx)
    {
        var submit = NewBill();
        using var submitter = fx.Gateway.Http(Token, submit, key: "key-jobs");
        var id = await JobPolling.SubmitAsync(submitter, "/v1/vision/jobs/images/generations",
            """{"model":"vllm/gpt-image-1","prompt":"a fox","n":2}""");
        Assert.Empty(fx.Gateway.Lines(submit)); // nothing is known, nor paid, until it completes

        using var poller = fx.Gateway.Http(Token, NewBill(), key: "key-poller");
        Assert.Equal("succeeded", (string?)(await JobPolling.WaitForTerminalAsync(poller, id))["state"]);
        await JobPolling.GetAsync(poller, id);
        await JobPolling.GetAsync(poller, id, consume: true);

        var charge = Assert.Single(fx.Gateway.Jobs.Charges, c => c.KeyId == "key-jobs");
        Assert.Equal(("vllm", "gpt-image-1", 2), (charge.Provider, charge.Model, charge.Usage.Images));
        Assert.DoesNotContain(fx.Gateway.Jobs.Charges, c => c.KeyId == "key-poller");
    }

    /// <summary>A consume that deletes the job on the poll that first sees it succeeded still charges it; a failed job never.</summary>
    internal static async Task ConsumedAndFailedJobsAsync(BillingFixture fx)
    {
        using var http = fx.Gateway.Http(Token, NewBill(), key: "key-consume");
        var id = await JobPolling.SubmitAsync(http, "/v1/vision/jobs/images/generations", """{"model":"vllm/gpt-image-1","prompt":"a cat"}""");
        JsonNode job;
        while ((string?)(job = await JobPolling.GetAsync(http, id, consume: true))["state"] is "queued" or "running")
        {
            await Task.Delay(20);
        }

        Assert.Equal("succeeded", (string?)job["state"]);
        var charge = Assert.Single(fx.Gateway.Jobs.Charges, c => c.KeyId == "key-consume");
        Assert.Equal(1, charge.Usage.Images);

        using var failing = fx.Gateway.Http(Token, NewBill(), key: "key-failed");
        fx.Vision.AlwaysFailWith = 400;
        try
        {
            var failed = await JobPolling.SubmitAsync(failing, "/v1/vision/jobs/images/generations",
                """{"model":"vllm/gpt-image-1","prompt":"no"}""");
            Assert.Equal("failed", (string?)(await JobPolling.WaitForTerminalAsync(failing, failed))["state"]);
        }
        finally
        {
            fx.Vision.AlwaysFailWith = null;
        }

        Assert.DoesNotContain(fx.Gateway.Jobs.Charges, c => c.KeyId == "key-failed");
    }

    private static string NewBill() => Guid.NewGuid().ToString("N");

    /// <summary>A 16-bit mono PCM WAV of silence, with a LIST chunk before its data as many encoders write.</summary>
    private static byte[] Wav(int sampleRate, double seconds)
    {
        var data = (int)(sampleRate * seconds) * 2;
        byte[] list = [.. "LIST"u8, 4, 0, 0, 0, .. "INFO"u8];
        var wav = new byte[12 + 24 + list.Length + 8 + data];
        var s = wav.AsSpan();
        "RIFF"u8.CopyTo(s);
        BinaryPrimitives.WriteInt32LittleEndian(s[4..], wav.Length - 8);
        "WAVE"u8.CopyTo(s[8..]);
        "fmt "u8.CopyTo(s[12..]);
        BinaryPrimitives.WriteInt32LittleEndian(s[16..], 16);
        BinaryPrimitives.WriteInt16LittleEndian(s[20..], 1); // PCM
        BinaryPrimitives.WriteInt16LittleEndian(s[22..], 1); // mono
        BinaryPrimitives.WriteInt32LittleEndian(s[24..], sampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(s[28..], sampleRate * 2); // byte rate
        BinaryPrimitives.WriteInt16LittleEndian(s[32..], 2);
        BinaryPrimitives.WriteInt16LittleEndian(s[34..], 16);
        list.CopyTo(s[36..]);
        "data"u8.CopyTo(s[(36 + list.Length)..]);
        BinaryPrimitives.WriteInt32LittleEndian(s[(40 + list.Length)..], data);
        return wav;
    }
}

using System.Net;
using System.Text.Json.Nodes;
using Xunit;

namespace AbstractCore.TestKit;

/// <summary>Submits and polls jobs. Never a timed assertion: polls until the job is terminal, within a generous bound.</summary>
public static class JobPolling
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    public static async Task<string> SubmitAsync(HttpClient http, string path, string json)
    {
        var (response, body) = await Wire.PostAsync(http, path, json);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} answered {(int)response.StatusCode}: {body?.ToJsonString()}");
        var id = (string?)body!["job_id"];
        Assert.False(string.IsNullOrEmpty(id));
        return id!;
    }

    public static async Task<JsonNode> GetAsync(HttpClient http, string id, bool consume = false)
    {
        var response = await http.GetAsync($"/v1/vision/jobs/{id}" + (consume ? "?consume=true" : ""));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET job {id} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    public static async Task<JsonNode> WaitForTerminalAsync(HttpClient http, string id)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var job = await GetAsync(http, id);
            if ((string?)job["state"] is "succeeded" or "failed")
            {
                return job;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Job {id} is still {job["state"]} after {Patience.TotalSeconds} s: {job.ToJsonString()}");
            }

            await Task.Delay(50);
        }
    }
}

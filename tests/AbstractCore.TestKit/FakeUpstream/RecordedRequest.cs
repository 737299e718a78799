using System.Text.Json;
using System.Text.Json.Nodes;

namespace AbstractCore.TestKit;

/// <summary>A request as <see cref="FakeOpenAIUpstream"/> received it.</summary>
/// <param name="Method">HTTP method, e.g. <c>POST</c>.</param>
/// <param name="Path">Request path without query string, e.g. <c>/v1/chat/completions</c>.</param>
/// <param name="Headers">All request headers; keys are case-insensitive, several values are joined with <c>", "</c>.</param>
/// <param name="Body">The raw request body (UTF-8), empty when there was none.</param>
public sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body)
{
    /// <summary>The body parsed as JSON (a fresh node on every call, so callers may mutate it); null if it is not JSON.</summary>
    public JsonNode? Json
    {
        get
        {
            if (string.IsNullOrWhiteSpace(Body))
            {
                return null;
            }

            try
            {
                return JsonNode.Parse(Body);
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }
}

using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;

namespace AbstractCore.Bench;

/// <summary>The bench fakes' chat completion chunks, one SSE event each, flushed as written: a role, content or finish
/// chunk, or (<c>usage</c>) the usage chunk with empty choices.</summary>
internal static class SseChunks
{
    public static async ValueTask WriteAsync(
        PipeWriter pipe, string id, long created, string model, bool role, string? content, string? finish, bool usage,
        CancellationToken cancellationToken)
    {
        var json = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(json))
        {
            w.WriteStartObject();
            w.WriteString("id"u8, id);
            w.WriteString("object"u8, "chat.completion.chunk"u8);
            w.WriteNumber("created"u8, created);
            w.WriteString("model"u8, model);
            w.WriteStartArray("choices"u8);
            if (!usage)
            {
                w.WriteStartObject();
                w.WriteNumber("index"u8, 0);
                w.WriteStartObject("delta"u8);
                if (role)
                {
                    w.WriteString("role"u8, "assistant"u8);
                }

                if (content is not null)
                {
                    w.WriteString("content"u8, content);
                }

                w.WriteEndObject();
                if (finish is null)
                {
                    w.WriteNull("finish_reason"u8);
                }
                else
                {
                    w.WriteString("finish_reason"u8, finish);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (usage)
            {
                w.WriteStartObject("usage"u8);
                w.WriteNumber("prompt_tokens"u8, 11);
                w.WriteNumber("completion_tokens"u8, 7);
                w.WriteNumber("total_tokens"u8, 18);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        pipe.Write("data: "u8);
        pipe.Write(json.WrittenSpan);
        pipe.Write("\n\n"u8);
        await pipe.FlushAsync(cancellationToken);
    }
}

using System.Buffers;
using System.Text.Json;
using AbstractCore.Api.Errors;

namespace AbstractCore.Api.Messages;

/// <summary>An event of a Messages stream the gateway writes itself (the assembler writes the rest).</summary>
internal static class MessagesSse
{
    /// <summary><c>event: error</c> with Anthropic's envelope as its data.</summary>
    public static ReadOnlyMemory<byte> Error(string type, string message)
    {
        var output = new ArrayBufferWriter<byte>();
        output.Write("event: error\ndata: "u8);
        using (var writer = new Utf8JsonWriter(output))
        {
            AnthropicErrors.Write(writer, type, message);
        }

        output.Write("\n\n"u8);
        return output.WrittenMemory;
    }
}

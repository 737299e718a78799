using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Microsoft.Extensions.Caching.Hybrid;

namespace AbstractCore.Api.Caching;

/// <summary>
/// <see cref="CachedAnswer"/> in L2 (Redis): a version byte, a stream flag, the storing time (Unix milliseconds), the
/// content type (length-prefixed UTF-8), then the body's bytes as they are: no JSON or base64 around a payload that is
/// mostly text already.
/// </summary>
internal sealed class CachedAnswerSerializer : IHybridCacheSerializer<CachedAnswer>
{
    private const byte Version = 1;
    private const int HeadBytes = 1 + 1 + 8 + 2;

    public CachedAnswer Deserialize(ReadOnlySequence<byte> source)
    {
        var bytes = source.IsSingleSegment ? source.FirstSpan : source.ToArray();
        if (bytes.Length < HeadBytes || bytes[0] != Version)
        {
            throw new InvalidOperationException("Not a cached answer of this gateway's version.");
        }

        var stream = bytes[1] == 1;
        var storedAt = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(bytes[2..]));
        int typeLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes[10..]);
        var contentType = Encoding.UTF8.GetString(bytes.Slice(HeadBytes, typeLength));
        return new CachedAnswer(contentType, stream, storedAt, bytes[(HeadBytes + typeLength)..].ToArray());
    }

    public void Serialize(CachedAnswer value, IBufferWriter<byte> target)
    {
        var type = Encoding.UTF8.GetBytes(value.ContentType);
        var head = target.GetSpan(HeadBytes);
        head[0] = Version;
        head[1] = value.Stream ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteInt64LittleEndian(head[2..], value.StoredAt.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteUInt16LittleEndian(head[10..], checked((ushort)type.Length));
        target.Advance(HeadBytes);
        target.Write(type);
        target.Write(value.Body);
    }
}

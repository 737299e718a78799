using System.Security.Cryptography;
using System.Text;

namespace AbstractCore.Api.Keys;

/// <summary>Virtual keys' secrets: made from 32 random bytes, known by their SHA-256 alone once the creation answer is gone.</summary>
internal static class KeySecrets
{
    public const string Prefix = "ack-";

    public static string NewSecret() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string NewId() => "key_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    public static bool LooksLikeKey(string presented) => presented.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>Lower-case hex SHA-256: the stored form, and the lookup index.</summary>
    public static string Hash(string secret)
    {
        // On every request with a key: the bytes and the digest on the stack, one string allocated.
        Span<byte> utf8 = stackalloc byte[Encoding.UTF8.GetMaxByteCount(Math.Min(secret.Length, 256))];
        var length = secret.Length <= 256 ? Encoding.UTF8.GetBytes(secret, utf8) : -1;
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(length >= 0 ? utf8[..length] : Encoding.UTF8.GetBytes(secret), digest);
        return Convert.ToHexStringLower(digest);
    }

    public static string Hint(string secret) => Prefix + "…" + secret[^4..];

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

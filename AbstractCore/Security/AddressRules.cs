using System.Net;
using System.Net.Sockets;

namespace AbstractCore.Security;

/// <summary>Which IP addresses a server-side fetch may reach, and which count as loopback.</summary>
internal static class AddressRules
{
    // Python's ipaddress "private" tables (3.13), which is_global negates, plus what it misses but a fetch
    // must not reach either: IPv4 multicast and IPv6 multicast / site-local.
    private static readonly Cidr[] NonGlobalV4 =
    [
        new("0.0.0.0", 8), new("10.0.0.0", 8), new("100.64.0.0", 10), new("127.0.0.0", 8),
        new("169.254.0.0", 16), new("172.16.0.0", 12), new("192.0.0.0", 24), new("192.0.0.170", 31),
        new("192.0.2.0", 24), new("192.168.0.0", 16), new("198.18.0.0", 15), new("198.51.100.0", 24),
        new("203.0.113.0", 24), new("224.0.0.0", 4), new("240.0.0.0", 4),
    ];

    // 192.0.0.0/24 holds two anycast service addresses that Python treats as global.
    private static readonly Cidr[] GlobalV4Exceptions = [new("192.0.0.9", 32), new("192.0.0.10", 32)];

    private static readonly Cidr[] NonGlobalV6 =
    [
        new("::1", 128), new("::", 128), new("64:ff9b:1::", 48), new("100::", 64), new("2001::", 23),
        new("2001:db8::", 32), new("2002::", 16), new("fc00::", 7), new("fe80::", 10), new("fec0::", 10),
        new("ff00::", 8),
    ];

    private static readonly Cidr[] GlobalV6Exceptions =
    [
        new("2001:1::1", 128), new("2001:1::2", 128), new("2001:3::", 32), new("2001:4:112::", 48),
        new("2001:20::", 28), new("2001:30::", 28),
    ];

    // Prefixes whose last 32 bits are an IPv4 address that is what is really reached.
    private static readonly Cidr[] EmbeddedV4 = [new("::ffff:0:0", 96), new("::", 96), new("64:ff9b::", 96)];

    /// <summary>
    /// Python's <c>ipaddress.is_global</c>, stricter where it is lax: IPv4-mapped, IPv4-compatible and NAT64
    /// (64:ff9b::/96) addresses are judged by the IPv4 address they carry, and multicast is never global.
    /// </summary>
    public static bool IsGlobal(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (EmbeddedV4.Any(c => c.Contains(address)) && !IsUnspecifiedOrLoopbackV6(address))
            {
                return IsGlobal(LastFourBytes(address));
            }

            return !NonGlobalV6.Any(c => c.Contains(address)) || GlobalV6Exceptions.Any(c => c.Contains(address));
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return !NonGlobalV4.Any(c => c.Contains(address)) || GlobalV4Exceptions.Any(c => c.Contains(address));
        }

        return false;
    }

    /// <summary>127.0.0.0/8, ::1, and IPv4-mapped loopback (::ffff:127.x.y.z).</summary>
    public static bool IsLoopback(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return IPAddress.IsLoopback(address);
    }

    /// <summary>
    /// The <c>base_url</c> loopback test: the literal name <c>localhost</c>, an IP literal that is loopback,
    /// otherwise a name whose addresses are all loopback (and there is at least one).
    /// </summary>
    public static async Task<bool> IsLoopbackHostAsync(Uri uri, HostResolver resolver, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(resolver);
        var host = UrlCanonical.Host(uri);
        if (host == "localhost")
        {
            return true;
        }

        if (uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6)
        {
            return IPAddress.TryParse(host, out var ip) && IsLoopback(ip);
        }

        var addresses = await resolver(UrlCanonical.HostForLookup(uri), cancellationToken);
        return addresses.Length > 0 && addresses.All(IsLoopback);
    }

    private static bool IsUnspecifiedOrLoopbackV6(IPAddress address) =>
        address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.IPv6Loopback);

    private static IPAddress LastFourBytes(IPAddress address) => new(address.GetAddressBytes().AsSpan(12, 4));

    private readonly struct Cidr
    {
        private readonly byte[] _prefix;
        private readonly int _bits;

        public Cidr(string network, int bits)
        {
            _prefix = IPAddress.Parse(network).GetAddressBytes();
            _bits = bits;
        }

        public bool Contains(IPAddress address)
        {
            Span<byte> bytes = stackalloc byte[16];
            if (!address.TryWriteBytes(bytes, out var length) || length != _prefix.Length)
            {
                return false;
            }

            var whole = _bits / 8;
            if (!bytes[..whole].SequenceEqual(_prefix.AsSpan(0, whole)))
            {
                return false;
            }

            var rest = _bits % 8;
            if (rest == 0)
            {
                return true;
            }

            var mask = (byte)(0xFF << (8 - rest));
            return (bytes[whole] & mask) == (_prefix[whole] & mask);
        }
    }
}

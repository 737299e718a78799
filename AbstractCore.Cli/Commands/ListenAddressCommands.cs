using System.Globalization;
using System.Net;
using System.Net.Sockets;
using AbstractCore.Configuration;

namespace AbstractCore.Cli.Commands;

/// <summary>Where the server listens: <c>--set-server-host HOST</c> and <c>--set-server-port PORT</c>.</summary>
internal static class ListenAddressCommands
{
    public static (Change?, string?) SetHost(string[] values, Func<string, string?> env)
    {
        var host = values[0].Trim();
        if (host.Length == 0 || !IsValidHost(host))
        {
            return Change.Fail($"invalid host '{values[0]}': expected a host name or IP address such as 127.0.0.1 or 0.0.0.0.");
        }

        // The server builds http://HOST:PORT, so an IPv6 literal is stored in brackets.
        if (IPAddress.TryParse(host, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 && !host.StartsWith('['))
        {
            host = $"[{host}]";
        }

        return ServerSetting.Set(ConfigFileSettings.Host, host, $"set to {host}", env);
    }

    public static (Change?, string?) SetPort(string[] values, Func<string, string?> env)
    {
        var text = values[0].Trim();
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535
            ? ServerSetting.Set(ConfigFileSettings.Port, port, $"set to {port}", env)
            : Change.Fail($"invalid port '{values[0]}': expected a whole number from 1 to 65535.");
    }

    private static bool IsValidHost(string host)
    {
        if (host is "*" or "+")
        {
            return true;
        }

        var bare = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        return Uri.CheckHostName(bare) != UriHostNameType.Unknown;
    }
}

// Addresses between IPEndPoint and the C API's numeric text ("127.0.0.1:80", "[::1]:80",
// "[fe80::1%3]:80"): the binding parses text itself, so that a bad string is an ArgumentException
// that says what was wrong, and a host name is refused with a pointer to Dns.
using System;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Miowin
{
    internal static class Endpoints
    {
        /// <summary>Parses "a.b.c.d:port" or "[v6%scope]:port".</summary>
        /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
        /// <exception cref="ArgumentException">The text is not a numeric address with a port, or names a host.</exception>
        internal static IPEndPoint Parse(string text, string parameterName)
        {
            if (text == null) throw new ArgumentNullException(parameterName);
            if (TryParse(text, out IPEndPoint? endpoint, out bool hostName)) return endpoint!;
            if (hostName)
            {
                throw new ArgumentException(
                    $"'{text}' names a host: miowin takes numeric addresses only (\"127.0.0.1:80\", \"[::1]:80\"). " +
                    "Resolve the name first (System.Net.Dns.GetHostAddresses) and pass an IPEndPoint.", parameterName);
            }
            throw new ArgumentException(
                $"'{text}' is not a numeric address with a port, such as \"127.0.0.1:80\" or \"[::1]:80\".", parameterName);
        }

        private static bool TryParse(string text, out IPEndPoint? endpoint, out bool hostName)
        {
            endpoint = null;
            hostName = false;
            string host, port;
            if (text.StartsWith("[", StringComparison.Ordinal))
            {
                int close = text.IndexOf("]:", StringComparison.Ordinal);
                if (close < 0) return false;
                host = text.Substring(1, close - 1);
                port = text.Substring(close + 2);
                if (!IPAddress.TryParse(host, out IPAddress? v6) || v6.AddressFamily != AddressFamily.InterNetworkV6) return false;
                return TryPort(port, v6, out endpoint);
            }
            int colon = text.LastIndexOf(':');
            if (colon <= 0 || text.IndexOf(':') != colon) return false; // no port, or IPv6 without brackets
            host = text.Substring(0, colon);
            port = text.Substring(colon + 1);
            // Four dotted decimal parts only: IPAddress.TryParse also takes "1" and "127.1".
            if (!IsDottedQuad(host) || !IPAddress.TryParse(host, out IPAddress? v4))
            {
                hostName = host.Length > 0 && Uri.CheckHostName(host) == UriHostNameType.Dns && IsPort(port);
                return false;
            }
            return TryPort(port, v4, out endpoint);
        }

        private static bool IsDottedQuad(string host)
        {
            string[] parts = host.Split('.');
            if (parts.Length != 4) return false;
            foreach (string part in parts)
            {
                if (part.Length == 0 || part.Length > 3) return false;
                foreach (char c in part) if (c < '0' || c > '9') return false;
            }
            return true;
        }

        private static bool IsPort(string port) =>
            port.Length > 0 && port.Length <= 5 && int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value <= IPEndPoint.MaxPort;

        private static bool TryPort(string port, IPAddress address, out IPEndPoint? endpoint)
        {
            endpoint = null;
            if (!IsPort(port)) return false;
            endpoint = new IPEndPoint(address, int.Parse(port, NumberStyles.None, CultureInfo.InvariantCulture));
            return true;
        }

        /// <summary>The endpoint as the C API's NUL-terminated UTF-8 text.</summary>
        /// <exception cref="ArgumentNullException"><paramref name="endpoint"/> is null.</exception>
        /// <exception cref="ArgumentException">The endpoint is neither IPv4 nor IPv6.</exception>
        internal static byte[] Encode(IPEndPoint endpoint, string parameterName)
        {
            if (endpoint == null) throw new ArgumentNullException(parameterName);
            string text = endpoint.AddressFamily switch
            {
                AddressFamily.InterNetwork => endpoint.Address + ":" + endpoint.Port.ToString(CultureInfo.InvariantCulture),
                AddressFamily.InterNetworkV6 => "[" + endpoint.Address + "]:" + endpoint.Port.ToString(CultureInfo.InvariantCulture),
                _ => throw new ArgumentException($"{endpoint.AddressFamily} is neither IPv4 nor IPv6.", parameterName),
            };
            return Utf8.Encode(text, parameterName);
        }

        /// <summary>The endpoint the library wrote as text into a buffer of <paramref name="size"/> bytes.</summary>
        internal static unsafe IPEndPoint Decode(byte* buffer, int size)
        {
            string text = Utf8.Decode(buffer, size);
            if (TryParse(text, out IPEndPoint? endpoint, out _)) return endpoint!;
            throw new FormatException($"miowin returned an address .NET cannot parse: '{text}'.");
        }
    }
}

using System.Net;
using System.Net.Sockets;
using ScaiControl.Domain.Common;

namespace ScaiControl.Infrastructure.Webhooks;

/// <summary>
/// Which webhook endpoint URLs are allowed: absolute http(s) URLs without credentials; https required unless
/// <paramref name="allowHttp"/> (Development); with <paramref name="ssrfProtection"/> (on by default outside
/// Development) every address the host resolves to must be public: loopback, link-local, private (RFC 1918),
/// carrier-grade NAT (RFC 6598), unique-local (fc00::/7), multicast and unspecified addresses are refused, IPv6 forms
/// of IPv4 judged by the IPv4 address (see <see cref="IsPublic"/>). Checked when a subscriber is saved and before each
/// delivery; the delivery's own connection is checked again on the address actually connected
/// (<see cref="WebhookConnector"/>), so a name that resolves differently the second time (DNS rebinding) is refused.
/// </summary>
public sealed class WebhookUrlPolicy(bool allowHttp, bool ssrfProtection, Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null)
{
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve = resolve ?? ((host, ct) => Dns.GetHostAddressesAsync(host, ct));

    /// <summary>Returns the parsed URL when allowed.</summary>
    /// <exception cref="DomainValidationException">The URL is malformed, not https, or points at a non-public address (field "url").</exception>
    public async Task<Uri> CheckAsync(string? url, CancellationToken ct = default)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            throw new DomainValidationException("url", "url must be an absolute https URL without credentials.");
        }

        if (uri.Scheme == Uri.UriSchemeHttp && !allowHttp)
        {
            throw new DomainValidationException("url", "url must use https.");
        }

        if (ssrfProtection)
        {
            IPAddress[] addresses;
            try
            {
                addresses = IPAddress.TryParse(uri.IdnHost, out var literal) ? [literal] : await _resolve(uri.IdnHost, ct);
            }
            catch (SocketException)
            {
                throw new DomainValidationException("url", $"The host {uri.Host} does not resolve.");
            }

            if (addresses.Length == 0 || addresses.Any(a => !IsPublic(a)))
            {
                throw new DomainValidationException("url", $"{uri.Host} resolves to a non-public address; private, loopback and link-local targets are refused.");
            }
        }

        return uri;
    }

    /// <summary>
    /// True for a globally routable unicast address. IPv6 forms that carry an IPv4 address are judged by that address:
    /// IPv4-mapped (::ffff:0:0/96), IPv4-translated (::ffff:0:0:0/96), IPv4-compatible (::/96), NAT64 (64:ff9b::/96, RFC 6052), 6to4 (2002::/16, RFC
    /// 3056) and Teredo's client (2001::/32, RFC 4380); the local-use NAT64 prefix (64:ff9b:1::/48, RFC 8215),
    /// discard-only (100::/64), documentation (2001:db8::/32), link-local, site-local, unique-local (fc00::/7) and
    /// multicast IPv6 are refused outright.
    /// </summary>
    public static bool IsPublic(IPAddress address)
    {
        address = EmbeddedIPv4(address) ?? address;
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.None))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] == 10 || b[0] == 0 || b[0] == 127 || b[0] >= 224
                || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)
                || (b[0] == 192 && b[1] == 0 && b[2] == 0)
                || (b[0] == 198 && (b[1] == 18 || b[1] == 19)));
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        var bytes = address.GetAddressBytes();
        return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || (bytes[0] & 0xFE) == 0xFC
            || StartsWith(bytes, 0x00, 0x64, 0xff, 0x9b, 0x00, 0x01)
            || StartsWith(bytes, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00)
            || StartsWith(bytes, 0x20, 0x01, 0x0d, 0xb8));
    }

    /// <summary>The IPv4 address an IPv6 address stands for (mapped, compatible, NAT64, 6to4, Teredo client), else null.</summary>
    public static IPAddress? EmbeddedIPv4(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return null;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        var b = address.GetAddressBytes();
        if (b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0)
        {
            // IPv4-compatible ::a.b.c.d; :: and ::1 are left to the IPv6 checks.
            return b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] <= 1 ? null : new IPAddress(b.AsSpan(12, 4));
        }

        if (StartsWith(b, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0))
        {
            return new IPAddress(b.AsSpan(12, 4)); // IPv4-translated ::ffff:0:a.b.c.d (RFC 2765)
        }

        if (StartsWith(b, 0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0))
        {
            return new IPAddress(b.AsSpan(12, 4)); // NAT64 well-known prefix
        }

        if (StartsWith(b, 0x20, 0x02))
        {
            return new IPAddress(b.AsSpan(2, 4)); // 6to4
        }

        if (StartsWith(b, 0x20, 0x01, 0x00, 0x00))
        {
            return new IPAddress([(byte)~b[12], (byte)~b[13], (byte)~b[14], (byte)~b[15]]); // Teredo: the client's address, obfuscated
        }

        return null;
    }

    private static bool StartsWith(byte[] bytes, params byte[] prefix) => bytes.AsSpan().StartsWith(prefix);
}

using System.Net;
using System.Net.Sockets;
using ScaiControl.Domain.Common;

namespace ScaiControl.Infrastructure.Webhooks;

/// <summary>
/// Which webhook endpoint URLs are allowed: absolute http(s) URLs without credentials; https required unless
/// <paramref name="allowHttp"/> (Development); with <paramref name="ssrfProtection"/> (on by default outside
/// Development) every address the host resolves to must be public: loopback, link-local, private (RFC 1918),
/// carrier-grade NAT (RFC 6598), unique-local (fc00::/7), multicast and unspecified addresses are refused. Checked
/// when a subscriber is saved AND before each delivery (DNS can change).
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

    /// <summary>True for a globally routable unicast address.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

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

        var bytes = address.GetAddressBytes();
        return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || (bytes[0] & 0xFE) == 0xFC);
    }
}

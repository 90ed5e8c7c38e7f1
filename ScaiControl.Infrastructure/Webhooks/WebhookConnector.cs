using System.Net;
using System.Net.Sockets;

namespace ScaiControl.Infrastructure.Webhooks;

/// <summary>
/// The HTTP handler of webhook deliveries. With SSRF protection its <see cref="SocketsHttpHandler.ConnectCallback"/>
/// resolves the host itself, connects only to addresses <see cref="WebhookUrlPolicy.IsPublic"/> accepts and checks
/// the socket's remote address once connected: the address judged is the address used, so DNS rebinding between
/// the policy check and the connection cannot reach a private, loopback or link-local target. No proxy is used then
/// (a proxy would make the connection on our behalf, unchecked). Redirects are never followed.
/// </summary>
public static class WebhookConnector
{
    /// <summary>Creates the delivery handler; <paramref name="resolve"/> replaces DNS (tests).</summary>
    public static SocketsHttpHandler CreateHandler(bool ssrfProtection, Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null)
    {
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5), MaxConnectionsPerServer = 32 };
        if (ssrfProtection)
        {
            var lookup = resolve ?? ((host, ct) => Dns.GetHostAddressesAsync(host, ct));
            handler.UseProxy = false;
            handler.ConnectCallback = (context, ct) => ConnectPublicAsync(context.DnsEndPoint, lookup, ct);
        }

        return handler;
    }

    /// <summary>Connects to the first reachable public address of <paramref name="endpoint"/>.</summary>
    /// <exception cref="HttpRequestException">Every address is non-public, or none could be reached.</exception>
    public static async ValueTask<Stream> ConnectPublicAsync(DnsEndPoint endpoint, Func<string, CancellationToken, Task<IPAddress[]>> resolve, CancellationToken ct)
    {
        var addresses = IPAddress.TryParse(endpoint.Host.Trim('[', ']'), out var literal) ? [literal] : await resolve(endpoint.Host, ct);
        if (addresses.Length == 0 || addresses.Any(a => !WebhookUrlPolicy.IsPublic(a)))
        {
            // As the policy: one private address among public ones refuses the name (no round-robin into the LAN).
            throw new HttpRequestException($"Refused: {endpoint.Host} resolves to a non-public address at delivery time.");
        }

        Exception? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), ct);
                if (socket.RemoteEndPoint is not IPEndPoint connected || !WebhookUrlPolicy.IsPublic(connected.Address))
                {
                    throw new HttpRequestException($"Refused: connected to a non-public address for {endpoint.Host}.");
                }

                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw new HttpRequestException($"Could not connect to {endpoint.Host}:{endpoint.Port}.", last);
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ScaiControl.Tests.Infrastructure.Distributed;

/// <summary>
/// A real Redis for the tests: Debian's redis-server (SCAI_REDIS_SERVER, set by scripts/test.sh) as a child process on
/// 127.0.0.1 and a free port, no persistence (--save '' --appendonly no), in a temp dir removed on dispose. A test
/// can <see cref="StopAsync"/> it mid-run and <see cref="StartAsync"/> it again on the same port. Without the variable
/// the fixture fails (it never passes silently).
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    private Process? _process;

    /// <summary>The server's temp dir.</summary>
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), $"scai-redis-{Guid.NewGuid():N}");

    /// <summary>The port it listens on (kept across a stop and start).</summary>
    public int Port { get; private set; }

    /// <summary>A StackExchange.Redis configuration string for the app (Redis:Configuration).</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>The redis-server binary, from SCAI_REDIS_SERVER.</summary>
    public static string Binary
    {
        get
        {
            var path = Environment.GetEnvironmentVariable("SCAI_REDIS_SERVER");
            if (string.IsNullOrWhiteSpace(path) || !File.Exists(path))
            {
                throw new InvalidOperationException(
                    $"SCAI_REDIS_SERVER is '{path}': run the tests through scripts/test.sh, which installs Debian's redis-server and points SCAI_REDIS_SERVER at it.");
            }

            return path;
        }
    }

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(Directory);
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort();
            try
            {
                await StartAsync();
                return;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // The port was taken between probing and binding: try another.
            }
        }
    }

    /// <summary>Starts the server (again) on <see cref="Port"/> and waits until it answers PING.</summary>
    /// <exception cref="InvalidOperationException">It did not come up within 20 s.</exception>
    public async Task StartAsync()
    {
        var start = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Directory,
        };
        foreach (var arg in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", Directory, "--daemonize", "no", "--protected-mode", "yes" })
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var until = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < until && !_process.HasExited)
        {
            if (await PingAsync())
            {
                return;
            }

            await Task.Delay(50);
        }

        await StopAsync();
        throw new InvalidOperationException($"redis-server did not answer on 127.0.0.1:{Port}.");
    }

    /// <summary>Kills the server (an outage: no shutdown, nothing saved).</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        await StopAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Left to the system's temp cleanup.
        }
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer);
            return System.Text.Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

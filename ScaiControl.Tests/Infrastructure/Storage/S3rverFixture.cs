using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ScaiControl.Tests.Infrastructure.Storage;

/// <summary>
/// A real S3-compatible server for the tests: s3rver (npm, tools/test-servers) as a child process on 127.0.0.1 and a free
/// port, storing into a fresh temp folder, with the bucket <see cref="Bucket"/> created at start-up. scripts/test.sh installs
/// it and sets SCAI_S3RVER to its CLI script; without that variable the fixture fails (it never passes silently).
/// </summary>
public sealed class S3rverFixture : IAsyncLifetime
{
    /// <summary>The bucket s3rver creates at start-up.</summary>
    public const string Bucket = "scaicontrol";

    /// <summary>s3rver's built-in credentials (access key and secret are both "S3RVER").</summary>
    public const string AccessKey = "S3RVER";

    /// <inheritdoc cref="AccessKey"/>
    public const string SecretKey = "S3RVER";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly StringBuilder _output = new();
    private Process? _process;

    /// <summary>The folder s3rver stores into (objects are &lt;Directory&gt;/&lt;bucket&gt;/&lt;key&gt;._S3rver_object).</summary>
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), $"scai-s3rver-{Guid.NewGuid():N}");

    /// <summary>The port s3rver listens on.</summary>
    public int Port { get; private set; }

    /// <summary>http://127.0.0.1:&lt;port&gt;</summary>
    public string ServiceUrl => $"http://127.0.0.1:{Port}";

    /// <summary>The path of s3rver's CLI script, from SCAI_S3RVER.</summary>
    public static string Cli
    {
        get
        {
            var cli = Environment.GetEnvironmentVariable("SCAI_S3RVER");
            if (string.IsNullOrWhiteSpace(cli))
            {
                throw new InvalidOperationException(
                    "SCAI_S3RVER is not set: run the tests through scripts/test.sh, which installs s3rver (npm ci in tools/test-servers) and points SCAI_S3RVER at it.");
            }

            return File.Exists(cli)
                ? cli
                : throw new InvalidOperationException($"SCAI_S3RVER points at '{cli}', which does not exist: run scripts/test.sh, which installs s3rver.");
        }
    }

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        var cli = Cli;
        System.IO.Directory.CreateDirectory(Directory);

        // A free port can be taken between probing and binding: try a few.
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort();
            _process = Start(cli, Port);
            if (await WaitUntilListeningAsync(_process, Port))
            {
                return;
            }

            Stop();
            if (attempt == 3)
            {
                string output;
                lock (_output)
                {
                    output = _output.ToString();
                }

                throw new InvalidOperationException($"s3rver ({cli}) did not answer on 127.0.0.1 within {StartTimeout.TotalSeconds:0} s. Its output:\n{output}");
            }
        }
    }

    /// <inheritdoc/>
    public Task DisposeAsync()
    {
        Stop();
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }

        return Task.CompletedTask;
    }

    private Process Start(string cli, int port)
    {
        // The CLI is a node script (bin/s3rver.js); anything else (a wrapper, node_modules/.bin/s3rver) runs as it is.
        var viaNode = cli.EndsWith(".js", StringComparison.OrdinalIgnoreCase);
        var start = new ProcessStartInfo(viaNode ? "node" : cli)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (viaNode)
        {
            start.ArgumentList.Add(cli);
        }

        foreach (var argument in new[]
                 {
                     "--address", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--directory", Directory, "--configure-bucket", Bucket, "--silent",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static async Task<bool> WaitUntilListeningAsync(Process process, int port)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                return false;
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return !process.HasExited;   // the port answers, and it is our server (not one that won the port)
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        return false;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Stop()
    {
        var process = _process;
        _process = null;
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        finally
        {
            process.Dispose();
        }
    }
}

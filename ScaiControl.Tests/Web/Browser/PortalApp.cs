using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ScaiControl.Tests.Web.Browser;

/// <summary>
/// The real portal as a child process: `dotnet ScaiControl.Web.dll` (copied next to the test assembly) in Development
/// with the development sign-in and a fresh demo seed in its own temp data directory, on a free loopback port.
/// </summary>
public sealed class PortalApp : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly string _dataDirectory;

    private PortalApp(Process process, string dataDirectory, Uri baseAddress)
    {
        _process = process;
        _dataDirectory = dataDirectory;
        BaseAddress = baseAddress;
    }

    /// <summary>The app's data directory (its SQLite database is scaicontrol.db there).</summary>
    public string DataDirectory => _dataDirectory;

    /// <summary>http://127.0.0.1:&lt;port&gt;/.</summary>
    public Uri BaseAddress { get; }

    /// <summary>What the app wrote to stdout and stderr so far (for failure messages).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts the app and waits until /sign-in answers.</summary>
    public static Task<PortalApp> StartAsync(string chromiumPath, TimeSpan timeout) => StartAsync(chromiumPath, timeout, FreePort(), null);

    /// <summary>
    /// Starts the app on <paramref name="port"/> with <paramref name="environment"/> set over the defaults (a null
    /// value removes a default, e.g. Auth__DevSignIn), and waits until /sign-in answers.
    /// </summary>
    public static async Task<PortalApp> StartAsync(string chromiumPath, TimeSpan timeout, int port, IReadOnlyDictionary<string, string?>? environment)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "ScaiControl.Web.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException("ScaiControl.Web.dll is not next to the test assembly; build ScaiControl.Tests.", dll);
        }

        var baseAddress = new Uri($"http://127.0.0.1:{port}/");
        var data = Path.Combine(Path.GetTempPath(), "scai-browser-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_URLS"] = baseAddress.ToString().TrimEnd('/');
        start.Environment["DataDirectory"] = data;
        start.Environment["Auth__DevSignIn"] = "true";
        start.Environment["Demo__SeedOnFirstRun"] = "true";
        start.Environment["Database__Provider"] = "Sqlite";
        start.Environment["Pdf__ChromiumPath"] = chromiumPath;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var app = new PortalApp(process, data, baseAddress);
        process.OutputDataReceived += (_, e) => app.Append(e.Data);
        process.ErrorDataReceived += (_, e) => app.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (process.HasExited)
            {
                var log = app.Log;
                await app.DisposeAsync();
                throw new InvalidOperationException($"The portal exited with code {process.ExitCode} before answering:\n{log}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("sign-in", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return app;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Still starting (migrating and seeding).
            }

            if (DateTime.UtcNow > deadline)
            {
                var log = app.Log;
                await app.DisposeAsync();
                throw new TimeoutException($"The portal did not answer /sign-in within {timeout}:\n{log}");
            }

            await Task.Delay(250);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already gone.
        }
        catch (TimeoutException)
        {
            // Left to the OS; the data directory below may then stay behind.
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder.
        }
        catch (UnauthorizedAccessException)
        {
            // Best effort: a temp folder.
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    /// <summary>A free loopback port.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

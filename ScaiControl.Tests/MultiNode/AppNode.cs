using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ScaiControl.Tests.MultiNode;

/// <summary>
/// One real ScaiControl process (<c>dotnet ScaiControl.Web.dll</c>, the build output of the web project) on
/// 127.0.0.1 and a port of its own, configured through environment variables (a setting "A:B" becomes "A__B").
/// Unlike WebApplicationFactory this is a separate OS process: it can be killed with SIGKILL (<see cref="Kill"/>)
/// and started again, which is what the multi-node tests need.
/// </summary>
public sealed class AppNode : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly StringBuilder _log = new();
    private Process? _process;

    /// <summary>A node named <paramref name="name"/> (also its Node:Id) with <paramref name="settings"/>.</summary>
    public AppNode(string name, IReadOnlyDictionary<string, string> settings)
    {
        Name = name;
        _settings = settings;
        Port = FreePort();
    }

    /// <summary>The node's name, e.g. "node-a".</summary>
    public string Name { get; }

    /// <summary>The port it listens on (kept across restarts).</summary>
    public int Port { get; }

    /// <summary>http://127.0.0.1:port.</summary>
    public string BaseUrl => $"http://127.0.0.1:{Port}";

    /// <summary>True while the process runs.</summary>
    public bool Running => _process is { HasExited: false };

    /// <summary>The web project's build output next to this test build (same configuration).</summary>
    public static string WebDll
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ScaiControl.sln")))
            {
                dir = dir.Parent;
            }

            var configuration = AppContext.BaseDirectory.Replace('\\', '/').Contains("/bin/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
            var dll = Path.Combine(dir?.FullName ?? throw new InvalidOperationException("ScaiControl.sln not found above the test binaries."),
                "ScaiControl.Web", "bin", configuration, "net10.0", "ScaiControl.Web.dll");
            return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} is missing: build the solution first.");
        }
    }

    /// <summary>Starts the process and waits until /healthz answers 200 (at most two minutes).</summary>
    /// <exception cref="InvalidOperationException">The process exited or never became healthy (its output is in the message).</exception>
    public async Task StartAsync()
    {
        _process = Launch(["--urls", BaseUrl], _settings, Name, _log);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var until = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < until)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                if ((await http.GetAsync($"{BaseUrl}/healthz")).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException)
            {
                // busy starting
            }

            await Task.Delay(250);
        }

        throw new InvalidOperationException($"{Name} did not become healthy in two minutes:\n{Output}");
    }

    /// <summary>SIGKILL (Process.Kill sends SIGKILL on Unix): no shutdown hook, no graceful drain.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }
    }

    /// <summary>What the process wrote so far (stdout and stderr), for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>
    /// An HTTP client for this node carrying a development bearer token of the user with <paramref name="email"/>,
    /// signed with the key at <paramref name="devKeyPath"/> (the nodes' Auth:DevKeyPath); the user is read through
    /// <paramref name="factory"/>.
    /// </summary>
    public async Task<HttpClient> ClientAsync(string devKeyPath, ScaiControl.Infrastructure.Persistence.ScaiDbFactory factory, string email)
    {
        await using var db = await factory.ForSystemAsync("test");
        var user = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(db.Users, u => u.Email == email);
        var token = ScaiControl.Web.Auth.DevSigningKey.LoadOrCreate(devKeyPath).Issue(user, "scaicontrol-dev", "scaicontrol", TimeSpan.FromHours(1), DateTimeOffset.UtcNow);
        var client = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(100) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Runs the admin CLI (<c>dotnet ScaiControl.Web.dll admin ...</c>) with the same settings; returns exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> CliAsync(IReadOnlyDictionary<string, string> settings, params string[] args)
    {
        var log = new StringBuilder();
        using var p = Launch(["admin", .. args], settings, "cli", log);
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        p.WaitForExit(); // flush the output handlers
        lock (log)
        {
            return (p.ExitCode, log.ToString());
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } p)
        {
            // A graceful stop first (SIGTERM), so a normal end does not look like a crash in the logs.
            try
            {
                Process.Start("kill", ["-TERM", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.WaitForExit();
                if (!p.WaitForExit(15_000))
                {
                    p.Kill(entireProcessTree: true);
                }
            }
            catch (InvalidOperationException)
            {
                // already gone
            }
        }

        _process?.Dispose();
        return ValueTask.CompletedTask;
    }

    private static Process Launch(string[] args, IReadOnlyDictionary<string, string> settings, string name, StringBuilder log)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(WebDll);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        start.Environment["Node__Id"] = name;
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var p = new Process { StartInfo = start };
        p.OutputDataReceived += (_, e) => Append(log, e.Data);
        p.ErrorDataReceived += (_, e) => Append(log, e.Data);
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private static void Append(StringBuilder log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            // Keep the tail: a long run logs a lot, a failure message needs the last lines.
            if (log.Length > 200_000)
            {
                log.Remove(0, 100_000);
            }

            log.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

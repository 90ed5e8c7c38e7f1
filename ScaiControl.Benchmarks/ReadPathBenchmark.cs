using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using ScaiControl.Domain.Billing;
using ScaiControl.Domain.Catalog;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Domain.Vat;
using ScaiControl.Infrastructure.Demo;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Web.Auth;

namespace ScaiControl.Benchmarks;

/// <summary>
/// The API's read paths under load (issue 13): the real app (ScaiControl.Web's Program, started in this process on
/// Kestrel, 127.0.0.1, a free port) on a fresh SQLite file and on a throwaway PostgreSQL database, seeded with the demo
/// data plus 1,000 tenants × 10 subscriptions and 3 draft invoices each (one tenant with 60). An in-process load
/// generator (HttpClient, <see cref="Concurrency"/> requests at once, fixed duration per request) drives each request
/// as a tenant user and as the operator, side by side with a bare minimal-API GET (a second WebApplication in the
/// same process, Kestrel on 127.0.0.1) and the app's own /health/live (the app's middleware, no authentication and
/// no database). SQL statements and their summed time per request come from EF Core's DiagnosticListener.
/// </summary>
internal static class ReadPathBenchmark
{
    /// <summary>Requests in flight at once.</summary>
    public const int Concurrency = 50;

    private const int Tenants = 1000;

    /// <summary>Runs on SQLite and (when <paramref name="pgServer"/> is set) PostgreSQL; returns the Markdown section.</summary>
    /// <param name="seconds">Measured seconds per request (after a 2 s warm-up).</param>
    /// <param name="pgServer">An Npgsql connection string of a server where a database may be created, or null.</param>
    public static async Task<string> RunAsync(int seconds, string? pgServer)
    {
        var started = DateTimeOffset.UtcNow;
        var wall = Stopwatch.StartNew();
        var load0 = LoadAverage();
        var duration = TimeSpan.FromSeconds(seconds);
        await using var bare = await BareApp.StartAsync();
        using var counter = new DbCommandCounter();
        var rows = new List<string>();
        var breakdown = new List<string>();
        var providers = new List<string> { "Sqlite" };
        if (pgServer is not null)
        {
            providers.Add("PostgreSQL");
        }

        foreach (var provider in providers)
        {
            await using var app = await ReadApp.StartAsync(provider, pgServer);
            Console.Error.WriteLine($"[read] {app.Label}: seeded, measuring");
            using var http = NewClient();
            var requests = new List<(string Name, string Url, string? Token)>
            {
                ("bare minimal-API GET (same process, no auth, no database)", bare.Url, null),
                ("app /health/live (app middleware, no auth, no database)", app.Url + "/health/live", null),
                ("GET /api/v1/catalog/services as the tenant", app.Url + "/api/v1/catalog/services", app.TenantToken),
                ("GET /api/v1/subscriptions as the tenant (10 rows)", app.Url + "/api/v1/subscriptions", app.TenantToken),
                ("GET /api/v1/subscriptions as the operator (page of 50)", app.Url + "/api/v1/subscriptions", app.OperatorToken),
                ("GET /api/v1/invoices/{id} as the tenant", app.Url + "/api/v1/invoices/" + app.InvoiceId, app.TenantToken),
                ("GET /api/v1/invoices/{id} as the operator", app.Url + "/api/v1/invoices/" + app.InvoiceId, app.OperatorToken),
                ("GET /api/v1/invoices as the tenant (page of 50)", app.Url + "/api/v1/invoices", app.TenantToken),
            };
            // SCAI_BENCH_ONLY=<text>: the bare GET and the requests whose name contains the text only (for a profiler).
            var only = Environment.GetEnvironmentVariable("SCAI_BENCH_ONLY") is { Length: > 0 } o ? o : null;
            if (only is not null)
            {
                requests = requests.Where((r, i) => i == 0 || r.Name.Contains(only, StringComparison.Ordinal)).ToList();
            }

            double? bareRate = null;
            foreach (var (name, url, token) in requests)
            {
                await LoadAsync(http, url, token, TimeSpan.FromSeconds(2)); // warm-up
                var auditBefore = await app.OperatorAccessRowsAsync();
                counter.Reset();
                var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                var alloc0 = GC.GetTotalAllocatedBytes(precise: false);
                var result = await LoadAsync(http, url, token, duration);
                var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
                var alloc = GC.GetTotalAllocatedBytes(precise: false) - alloc0;
                var (statements, sqlTime) = counter.Read();
                var compilations = counter.Compilations;
                if (only is not null)
                {
                    foreach (var (expression, times) in counter.CompiledExpressions().Take(5))
                    {
                        Console.Error.WriteLine($"[read] compiled ×{times}: {expression}");
                    }
                }

                var auditRows = await app.OperatorAccessRowsAsync() - auditBefore;
                bareRate ??= result.Rate;
                var n = Math.Max(1, result.Count);
                rows.Add(string.Create(CultureInfo.InvariantCulture,
                    $"| {app.Label} | {name} | {result.Count} | {result.Rate:F0} | **{result.Rate / bareRate.Value:F3}** | {result.P50:F2} | {result.P99:F2} | {result.Errors} | {cpu.TotalMilliseconds / n:F3} | {alloc / 1024.0 / n:F1} | {(double)statements / n:F2} | {(double)compilations / n:F2} | {sqlTime.TotalMilliseconds / n:F3} | {(double)auditRows / n:F2} |"));
                if (statements > 0)
                {
                    var kinds = string.Join("; ", counter.ByKind().Take(5).Select(k => string.Create(CultureInfo.InvariantCulture,
                        $"{k.Kind} ×{(double)k.Count / n:F2} {k.Time.TotalMilliseconds / n:F3} ms")));
                    breakdown.Add(string.Create(CultureInfo.InvariantCulture,
                        $"| {app.Label} | {name} | {1000.0 * Concurrency / Math.Max(1, result.Rate):F2} | {sqlTime.TotalMilliseconds / n:F3} | {kinds} |"));
                }

                Console.Error.WriteLine(rows[^1]);
            }
        }

        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Machine and run: {started:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}, load average {load0} at the start and {LoadAverage()} at the end (other work shares the cores); wall time {wall.Elapsed.TotalSeconds:F0} s.");
        sb.AppendLine(CultureInfo.InvariantCulture, $"Command: `scripts/bench.sh reads {seconds}` ({seconds} s per request after a 2 s warm-up, {Concurrency} concurrent requests from an in-process HttpClient load generator; the app is ScaiControl.Web's Program on Kestrel in the same process, Production-like settings except the development token signer; request logging at Warning; rate limits off).");
        sb.AppendLine(CultureInfo.InvariantCulture, $"Data: the demo seed plus {Tenants} tenants of one partner with 10 subscriptions and 3 draft invoices (2 lines) each, one of them (the measured tenant) with 60 invoices.");
        sb.AppendLine();
        sb.AppendLine("| database | request | requests | req/s | of bare | p50 ms | p99 ms | errors | CPU ms / request | KiB allocated / request | SQL statements / request | query compilations / request | SQL ms / request | operator_access rows / request |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        rows.ForEach(r => sb.AppendLine(r));
        sb.AppendLine();
        sb.AppendLine("CPU ms / request is the whole process's CPU time (app, load generator and Kestrel on both ends) during the measured seconds divided by the requests served, and KiB allocated / request the managed allocations likewise: unlike the rates, both hardly move with the load other work puts on the machine, so they compare runs taken at different loads; the bare GET's figures are the load generator's and the HTTP stack's own share.");
        sb.AppendLine();
        sb.AppendLine($"**Where the time goes.** Service time per request (= {Concurrency} / req/s, the time one request holds one of the {Concurrency} slots), the summed execution time of its SQL statements (EF Core's CommandExecuted; statements of concurrent requests overlap, and the SQLite writer lock is waited for inside them), and the statements by kind (count and ms per request, most time first). The rest of the service time is the pipeline (authentication, authorisation, rate limiting, the request log scope), opening the context (model, filter parameters), query compilation cache look-ups, materialisation, mapping and JSON serialisation, and waiting for a core.");
        sb.AppendLine();
        sb.AppendLine("| database | request | service ms / request | SQL ms / request | statements per request (top 5 by time) |");
        sb.AppendLine("|---|---|---|---|---|");
        breakdown.ForEach(r => sb.AppendLine(r));
        return sb.ToString();
    }

    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static HttpClient NewClient() => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = Concurrency,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        UseCookies = false,
        AllowAutoRedirect = false,
    })
    { Timeout = TimeSpan.FromSeconds(60) };

    private sealed record LoadResult(int Count, int Errors, double Rate, double P50, double P99);

    /// <summary><see cref="Concurrency"/> loops sending GET <paramref name="url"/> until <paramref name="duration"/> is over; latencies in ms.</summary>
    private static async Task<LoadResult> LoadAsync(HttpClient http, string url, string? token, TimeSpan duration)
    {
        var latencies = new List<double>[Concurrency];
        var errors = 0;
        string? firstError = null;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, Concurrency).Select(async w =>
        {
            var mine = latencies[w] = new List<double>(4096);
            while (clock.Elapsed < duration)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                if (token is not null)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                }

                var t0 = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
                var body = await response.Content.ReadAsByteArrayAsync();
                mine.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                if (response.StatusCode != HttpStatusCode.OK || body.Length == 0)
                {
                    Interlocked.Increment(ref errors);
                    firstError ??= $"{(int)response.StatusCode} {Encoding.UTF8.GetString(body)[..Math.Min(300, body.Length)]}";
                }
            }
        }).ToList();
        await Task.WhenAll(workers);
        var elapsed = clock.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).ToList();
        if (firstError is not null)
        {
            Console.Error.WriteLine($"[read] {url}: {errors} errors, first: {firstError}");
        }

        return new LoadResult(all.Count, errors, all.Count / elapsed, Stats.Percentile(all, 0.50), Stats.Percentile(all, 0.99));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A bare minimal API (one GET returning a small JSON object) on Kestrel, 127.0.0.1, in this process.</summary>
    private sealed class BareApp : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private BareApp(WebApplication app, string url)
        {
            _app = app;
            Url = url;
        }

        /// <summary>The GET's URL.</summary>
        public string Url { get; }

        public static async Task<BareApp> StartAsync()
        {
            var port = FreePort();
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            var app = builder.Build();
            app.MapGet("/bare", () => TypedResults.Ok(new { id = "sub_0000000000000000000000", status = "active", price_minor = 2900, currency = "EUR" }));
            await app.StartAsync();
            return new BareApp(app, $"http://127.0.0.1:{port}/bare");
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }

    /// <summary>ScaiControl.Web on Kestrel in this process, on a fresh database, seeded for the read benchmark.</summary>
    private sealed class ReadApp : WebApplicationFactory<DevSigningKey> // any type of ScaiControl.Web names its entry point
    {
        private readonly string _work = Directory.CreateTempSubdirectory("scai-bench-reads-").FullName;
        private readonly string _provider;
        private readonly string _connectionString;
        private readonly string? _pgServer;
        private readonly string? _pgDatabase;
        private readonly int _port = FreePort();

        private ReadApp(string provider, string connectionString, string label, string? pgServer, string? pgDatabase)
        {
            _provider = provider;
            _connectionString = connectionString;
            Label = label;
            _pgServer = pgServer;
            _pgDatabase = pgDatabase;
        }

        public string Label { get; }

        public string Url => $"http://127.0.0.1:{_port}";

        public string TenantToken { get; private set; } = string.Empty;

        public string OperatorToken { get; private set; } = string.Empty;

        public string InvoiceId { get; private set; } = string.Empty;

        public static async Task<ReadApp> StartAsync(string provider, string? pgServer)
        {
            string connectionString;
            string label = "SQLite";
            string? database = null;
            if (provider == "PostgreSQL")
            {
                database = $"scai_bench_{Guid.NewGuid():N}";
                await using var connection = new NpgsqlConnection(pgServer);
                await connection.OpenAsync();
                await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", connection);
                await create.ExecuteNonQueryAsync();
                label = "PostgreSQL " + connection.PostgreSqlVersion.ToString(2);
                connectionString = new NpgsqlConnectionStringBuilder(pgServer) { Database = database, MaxPoolSize = 100 }.ConnectionString;
            }
            else
            {
                connectionString = string.Empty; // set below, inside the work directory
            }

            var app = new ReadApp(provider, connectionString, label, pgServer, database);
            app.UseKestrel(app._port);
            app.StartServer();
            await app.SeedAsync();
            return app;
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            var connectionString = _provider == "Sqlite" ? $"Data Source={Path.Combine(_work, "scai.db")}" : _connectionString;
            builder.UseEnvironment("Development"); // the development token signer issues the benchmark's bearer tokens
            builder.UseSetting("Database:Provider", _provider);
            builder.UseSetting($"ConnectionStrings:{_provider}", connectionString);
            builder.UseSetting("DataDirectory", _work);
            builder.UseSetting("Storage:Root", Path.Combine(_work, "objects"));
            builder.UseSetting("Auth:DevKeyPath", Path.Combine(_work, "dev-key.pem"));
            builder.UseSetting("Auth:DevSignIn", "true");
            builder.UseSetting("Demo:SeedOnFirstRun", "true");
            builder.UseSetting("Vies:BaseUrl", "http://127.0.0.1:9");
            builder.UseSetting("Pdf:ChromiumPath", Path.Combine(_work, "no-chromium"));
            builder.UseSetting("Jobs:Enabled", "false");
            builder.UseSetting("Webhooks:DispatcherEnabled", "false");
            builder.UseSetting("RateLimiting:PermitLimit", "0");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.UseSetting("Logging:LogLevel:Microsoft", "Warning");
            builder.ConfigureLogging(l => l.ClearProviders().AddSimpleConsole().SetMinimumLevel(LogLevel.Warning));
        }

        /// <summary>operator_access audit rows so far.</summary>
        public async Task<int> OperatorAccessRowsAsync()
        {
            await using var db = Services.GetRequiredService<ScaiDbFactory>().ForPlatform("system:bench");
            return await db.AuditLog.CountAsync(a => a.Action == "operator_access");
        }

        private async Task SeedAsync()
        {
            var factory = Services.GetRequiredService<ScaiDbFactory>();
            var now = DateTimeOffset.UtcNow;
            var lastMonth = now.AddMonths(-1);
            var partner = new Partner("Bench Reseller B.V.", false, now);
            List<Service> services;
            List<Plan> plans;
            User tenantUser;
            await using (var db = await factory.ForSystemAsync("bench-seed"))
            {
                services = await db.Services.AsNoTracking().ToListAsync();
                plans = await db.Plans.AsNoTracking().ToListAsync();
                db.Partners.Add(partner);
                await db.SaveChangesAsync();
            }

            var provisional = new VatDecision(VatRule.Domestic, VatCategory.S, new VatRate(2100), null, null);
            tenantUser = null!;
            string? firstTenant = null;
            for (var batch = 0; batch < Tenants; batch += 100)
            {
                await using var db = await factory.ForSystemAsync("bench-seed");
                for (var t = batch; t < batch + 100; t++)
                {
                    var tenant = new Tenant(partner.Id, $"Bench Tenant {t:D4}", now);
                    db.Tenants.Add(tenant);
                    db.TenantBillingProfiles.Add(new TenantBillingProfile(partner.Id, tenant.Id, tenant.Name,
                        PostalAddress.Create("Stationsplein 1", null, "3511 ED", "Utrecht", "NL"), null, $"billing{t}@bench.example", now));
                    if (t == 0)
                    {
                        firstTenant = tenant.Id;
                        tenantUser = new User("bench-tenant@bench.example", "Bench Tenant Admin", partner.Id, tenant.Id, [Roles.TenantAdmin], now);
                        db.Users.Add(tenantUser);
                    }

                    for (var s = 0; s < 10; s++)
                    {
                        var plan = plans[(t + s) % plans.Count];
                        db.Subscriptions.Add(Subscription.Start(partner.Id, tenant.Id, services.Single(x => x.Id == plan.ServiceId), plan, lastMonth.AddMinutes(s)));
                    }

                    for (var i = 0; i < (t == 0 ? 60 : 3); i++)
                    {
                        var invoice = new Invoice(partner.Id, tenant.Id, "EUR", null, now);
                        invoice.AddLine("Seat licence", 3, Money.Of(2500, "EUR"), provisional);
                        invoice.AddLine("Storage", 1, Money.Of(900, "EUR"), provisional);
                        db.Invoices.Add(invoice);
                    }
                }

                await db.SaveChangesAsync();
            }

            await using (var db = factory.ForActor(new Infrastructure.Tenancy.Actor(tenantUser.Id, partner.Id, firstTenant, tenantUser.RoleList, tenantUser.Scopes)))
            {
                InvoiceId = await db.Invoices.OrderBy(i => i.Id).Select(i => i.Id).FirstAsync();
            }

            var signer = Services.GetRequiredService<DevSigningKey>();
            TenantToken = signer.Issue(tenantUser, "scaicontrol-dev", "scaicontrol", TimeSpan.FromHours(2), now);
            var tenancy = Services.GetRequiredService<Infrastructure.Tenancy.TenancyService>();
            var op = await tenancy.FindUserAsync(DemoSeeder.OperatorEmail) ?? throw new InvalidOperationException("The demo operator is missing.");
            OperatorToken = signer.Issue(op, "scaicontrol-dev", "scaicontrol", TimeSpan.FromHours(2), now);
        }

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            if (_pgDatabase is not null)
            {
                NpgsqlConnection.ClearAllPools();
                await using var connection = new NpgsqlConnection(_pgServer);
                await connection.OpenAsync();
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_pgDatabase} WITH (FORCE)", connection);
                await drop.ExecuteNonQueryAsync();
            }

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_work, recursive: true);
            }
            catch (IOException)
            {
                // a file still open; the temp folder is the system's to clean
            }
        }
    }
}
